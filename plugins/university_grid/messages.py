"""The university_grid model's catalogue (文案): key -> (Chinese, English), for its screens."""

MESSAGES: dict[str, tuple[str, str]] = {
    "groups.title": ("协作组一览", "Collaboration groups"),
    "groups.columns": ("组别|网格员|单位数|本期组长单位", "Group|Grid members|Units|Leader unit now"),
    "groups.none": ("（无）", "(none)"),
    "groups.members": ("成员单位", "Member units"),
    "rotation.title": ("{year}年组长单位轮值", "Leader rotation {year}"),
    "rotation.proposed": ("已生成 {count} 个任期（+ 标记），按 y 采用，Esc 放弃", "{count} terms proposed (+): y to accept, Esc to drop"),
    "rotation.hint": ("g 为空缺季度生成轮值；Enter 编辑任期；[ ] 切换年份", "g proposes terms for empty quarters; Enter edits a term; [ ] change year"),
    "rotation.full": ("本年度各季度均已有组长单位", "Every quarter of the year has a leader unit"),
    "rotation.saved": ("已保存 {count} 个任期", "Saved {count} terms"),
    "ug.generate": ("生成", "Generate"),
    "ug.accept": ("采用", "Accept"),
    "matrix.title": ("季度合规矩阵", "Quarterly compliance"),
    "matrix.reason": ("{what}：{count}/{required}，截止 {due}  ", "{what}: {count}/{required}, due {due}  "),
    "matrix.pick": ("选择一个单元格查看原因；Enter 打开补正的记录", "Pick a cell to see why; Enter opens the record that fixes it"),
    "log.title": ("协作活动台账", "Activity log"),
    "log.columns": ("结束|组别|形式|活动名称|出席|新闻稿", "Ended|Group|Form|Title|Present|News"),
    "col.group": ("组别", "Group"),
}
