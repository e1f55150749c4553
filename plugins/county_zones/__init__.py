"""county_zones: a county's supervision and inspection zones (监督检查协作区).

Source: 《平罗县纪委监委关于推行监督检查协作区的实施意见》 (seed 001).
"""

__version__ = "0.1.0"
MODEL_ID = "county_zones"
