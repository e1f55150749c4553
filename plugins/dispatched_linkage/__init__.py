"""dispatched_linkage: dispatched groups in collaboration groups, joint cases, pre-review, the six haves.

Source: a report on 天津市纪委监委's dispatched-agency reform (seed 002).
"""

__version__ = "0.1.0"
MODEL_ID = "dispatched_linkage"
