"""university_grid: a university's collaboration groups and grid members (二级单位纪委协作机制).

Source: 《关于建立二级单位纪委协作机制的意见（试行）》, 天津工业大学 (seed 000).
"""

__version__ = "0.1.0"
MODEL_ID = "university_grid"
