"""The four_duties model's catalogue (文案): key -> (Chinese, English), for its screens."""

MESSAGES: dict[str, tuple[str, str]] = {
    "checklist.title": ("{year}年度责任清单", "Checklist {year}"),
    "checklist.columns": ("主体|阶段|事项|截止|状态", "Who|When|Duty|Due|Status"),
    "stage.early": ("年初", "early"),
    "stage.mid": ("年中", "mid-year"),
    "stage.end": ("年末", "year end"),
    "stage.next": ("次年年初", "next year"),
    "checklist.hint": ("Enter 补录所选缺项  [ ] 切换年度", "Enter fills the selected gap  [ ] year"),
    "riskmap.title": ("廉政风险地图", "Risk map"),
    "riskmap.area": ("重点领域", "Area"),
    "riskmap.empty": ("✗ 空", "✗ none"),
    "riskmap.legend": ("✓ 已落实 · ! 缺责任人或措施 · ✗ 应有而无；Enter 打开或新建风险点", "✓ in place · ! owner or measures missing · ✗ missing; Enter opens or adds"),
    "riskmap.point": ("  {description}：责任人 {owner}；措施 {measures}", "  {description}: owner {owner}; measures {measures}"),
    "riskmap.unset": ("（未落实）", "(not set)"),
    "riskmap.no_point": ("  尚无风险点", "  no risk point yet"),
    "riskmap.answers": ("（该单位为本领域责任单位）", " (this unit answers for the area)"),
}
