"""enterprise_tiers: a group company's three-level linkage (纪检工作“三级联动”).

Source: 淄矿纪发〔2019〕18号, forwarded as 新升纪发〔2019〕10号 (seed 003).
"""

__version__ = "0.1.0"
MODEL_ID = "enterprise_tiers"
