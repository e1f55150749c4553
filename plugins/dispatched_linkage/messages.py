"""The dispatched_linkage model's catalogue (文案): key -> (Chinese, English), for its screens."""

MESSAGES: dict[str, tuple[str, str]] = {
    "linkage.title": ("协作组与联动案件", "Groups and joint cases"),
    "linkage.groups": ("协作组|对口联系室|派驻组|未明确联系人", "Group|Office|Groups|No contact"),
    "linkage.cases": ("案件|联动|层级|前置审核|立案", "Case|Linkage|Level|Pre-review|Filed"),
    "linkage.missing": ("缺", "missing"),
    "linkage.sep": ("；", "; "),
    "linkage.rate": ("二次审理补证率：{rates}", "Supplementary evidence rate: {rates}"),
    "linkage.year_rate": ("{year}年 {asked}/{reviewed}（{share:.0%}）", "{year}: {asked}/{reviewed} ({share:.0%})"),
}
