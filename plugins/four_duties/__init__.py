"""four_duties: four responsibilities in synergy (全面从严治党“四责协同”机制).

Source: 《上海理工大学关于加强全面从严治党“四责协同”机制建设的实施办法》 (seed 004).
"""

__version__ = "0.1.0"
MODEL_ID = "four_duties"
