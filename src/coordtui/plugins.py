"""The plugin host (插件宿主): finds, loads, checks and isolates plugins.

pluggy alone does not isolate: one raising implementation aborts the whole hook call,
and ``load_setuptools_entrypoints`` stops at the first entry point that fails to
import. So each plugin is imported under its own guard, each implementation is
called separately, and what every plugin returned is recorded under its name. A
plugin that fails anywhere is switched off whole and reported; the others go on.

Discovery, in this order:
1. the ``coordtui`` entry-point group (the built-in models are registered there by
   the project's own ``pyproject.toml``, exactly like third-party ones);
2. folders named by ``--plugin-dir`` or ``COORDTUI_PLUGIN_PATH`` (``os.pathsep``-separated):
   each package or ``.py`` module in them is one plugin.

``COORDTUI_DISABLE_PLUGINS=a,b`` blocks plugins by name;
``COORDTUI_DISABLE_PLUGIN_AUTOLOAD=1`` skips entry points (tests use it).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterable

from coordtui import PROJECT
from coordtui.i18n import Bilingual

if TYPE_CHECKING:
    import pluggy

    from coordtui.domain.model import ExportSpec, ModelSpec, Obligation, Rule, ScreenSpec

ENTRY_POINT_GROUP = "coordtui"


def hook_names() -> list[str]:
    """The hooks a plugin may implement (those of :mod:`coordtui.hookspecs`)."""
    from coordtui import hookspecs

    return [name for name in dir(hookspecs) if name.startswith("coordtui_")]


def __getattr__(name: str) -> Any:
    if name == "HOOKS":  # (imported when asked for: the application's first frame loads no plugin)
        return hook_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

OK, FAILED, DISABLED = "ok", "failed", "disabled"


@dataclass
class PluginInfo:
    """What ``coordtui plugins`` shows of one plugin. ``cause``: why it is off, in both languages
    (a :class:`~coordtui.i18n.Bilingual`: its str is the English, ``cause.zh`` the Chinese)."""

    name: str
    source: str
    version: str = "-"
    status: str = OK
    cause: Bilingual | None = None
    models: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "cause": None if self.cause is None else str(self.cause),
            "cause_zh": getattr(self.cause, "zh", self.cause),
            "models": self.models,
        }


def _env_list(name: str) -> list[str]:
    return [p.strip() for p in os.environ.get(name, "").split(",") if p.strip()]


def _describe(exc: BaseException) -> Bilingual:
    """What an exception says, in both languages: Python's own common words put into Chinese
    (a missing module, a syntax error, an exit); any other message is the plugin's own, quoted."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    kind = type(exc).__name__
    en = f"{kind}: {text}" if text else kind
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        zh = f"找不到模块“{exc.name}”（{kind}）"
    elif isinstance(exc, SyntaxError):
        where = (Path(exc.filename).name if exc.filename else "") + (f" 第 {exc.lineno} 行" if exc.lineno else "")
        zh = f"{where}有语法错误（{kind}）"
    elif isinstance(exc, ImportError):
        # The plugin's own words say what could not be imported ("cannot import name Team"): quoted.
        zh = f"导入出错（{kind}）" + (f"：{text}" if text else (f"：{exc.name}" if exc.name else ""))
    elif isinstance(exc, SystemExit):
        zh = f"调用了 sys.exit（{kind}）"
    elif isinstance(exc, KeyboardInterrupt):
        zh = f"被中断（{kind}）"
    elif type(exc).__name__ == "PluginValidationError":
        hook = re.search(r"for hook '(\w+)'", text)
        zh = f"钩子{' ' + hook.group(1) + ' ' if hook else ''}的参数与钩子规范不符（{kind}）"
    else:
        zh = f"{kind}：“{text}”" if text else kind
    return Bilingual(en, zh)


def _source_zh(source: str) -> str:
    """Where a plugin came from, in Chinese (as ``coordtui plugins`` says it)."""
    if source.startswith("entry point "):
        return "入口点 " + source.removeprefix("entry point ")
    if source.startswith("folder "):
        return "目录 " + source.removeprefix("folder ")
    return source


#: Top-level module name -> the plugin folder it was imported from, in this process.
_FOLDER_MODULES: dict[str, Path] = {}
#: Every plugin folder this process put on the path.
_FOLDERS: set[str] = set()


def _found_elsewhere(name: str, folder: Path) -> str | None:
    """Where a module called ``name`` comes from other than a plugin folder (the standard library,
    an installed package, one already imported), or None when only plugin folders have it."""
    if name in sys.builtin_module_names or name in getattr(sys, "stdlib_module_names", ()):
        return Bilingual("the standard library", "标准库")
    loaded = sys.modules.get(name)
    if loaded is not None and name not in _FOLDER_MODULES:
        return getattr(loaded, "__file__", None) or Bilingual("already imported", "已导入的模块")
    here = {str(folder), str(folder.resolve())} | _FOLDERS
    try:
        spec = importlib.machinery.PathFinder.find_spec(name, [p for p in sys.path if p not in here and p])
    except (ImportError, ValueError):
        return None
    return spec.origin or Bilingual("an installed package", "已安装的包") if spec is not None else None


def _import_from(folder: Path, stem: str, target: str) -> Any:
    """Import ``target`` (``stem`` or ``stem.plugin``) from ``folder`` itself, whatever other plugin
    folder came earlier on the path with a module of that name (each host loads its own)."""
    if _FOLDER_MODULES.get(stem) != folder:
        for loaded in [m for m in sys.modules if m == stem or m.startswith(stem + ".")]:
            del sys.modules[loaded]
        spec = importlib.machinery.PathFinder.find_spec(stem, [str(folder)])
        if spec is None or spec.loader is None:
            raise ImportError(f"no module {stem} in {folder}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[stem] = module
        _FOLDER_MODULES[stem] = folder
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(stem, None)
            _FOLDER_MODULES.pop(stem, None)
            raise
    return importlib.import_module(target)


# The contribution hooks, in the order they are collected.
_CONTRIBUTIONS = ("coordtui_rules", "coordtui_obligations", "coordtui_screens", "coordtui_exports", "coordtui_fixtures")


def _expected(hook: str) -> type:
    """The type of the items a contribution hook returns."""
    from coordtui.domain.model import ExportSpec, Obligation, Rule, ScreenSpec

    return {"coordtui_rules": Rule, "coordtui_obligations": Obligation, "coordtui_screens": ScreenSpec,
            "coordtui_exports": ExportSpec, "coordtui_fixtures": dict}[hook]


class PluginHost:
    """One per application instance (never a global built at import time)."""

    def __init__(
        self,
        *,
        plugin_dirs: Iterable[Path | str] = (),
        disabled: Iterable[str] | None = None,
        autoload: bool | None = None,
        modules: Iterable[tuple[str, ModuleType | object]] = (),
    ) -> None:
        self._pm: pluggy.PluginManager | None = None  # made when first needed (see pm)
        env_dirs = [d for d in os.environ.get("COORDTUI_PLUGIN_PATH", "").split(os.pathsep) if d]
        self.plugin_dirs = [Path(d) for d in [*plugin_dirs, *env_dirs]]
        self.disabled = set(disabled if disabled is not None else []) | set(_env_list("COORDTUI_DISABLE_PLUGINS"))
        if autoload is None:
            autoload = not os.environ.get("COORDTUI_DISABLE_PLUGIN_AUTOLOAD")
        self.autoload = autoload
        self._extra = list(modules)
        self.plugins: dict[str, PluginInfo] = {}
        self.models: dict[str, ModelSpec] = {}
        self._model_owner: dict[str, str] = {}
        self._contrib: dict[str, list[tuple[str, str, Any]]] = {h: [] for h in _CONTRIBUTIONS}
        self._order: list[str] = []
        self.loaded = False

    @property
    def pm(self) -> "pluggy.PluginManager":
        """pluggy's plugin manager, made when first needed: a host that is never loaded (the
        application's first frame from a snapshot) imports neither pluggy nor the hooks."""
        if self._pm is None:
            import pluggy

            from coordtui import hookspecs

            pm = pluggy.PluginManager(PROJECT)
            pm.add_hookspecs(hookspecs)
            self._pm = pm
        return self._pm

    def config_identity(self) -> dict[str, Any] | None:
        """What decides which plugins this host loads, as plain values a cache key may hold: the
        folders it was given (besides ``COORDTUI_PLUGIN_PATH``'s, which the environment names),
        whether it loads the entry points, and the plugins switched off beyond
        ``COORDTUI_DISABLE_PLUGINS``'s. None when that is not all: modules registered by the
        program, which no key can name."""
        if self._extra:
            return None
        env_dirs = [d for d in os.environ.get("COORDTUI_PLUGIN_PATH", "").split(os.pathsep) if d]
        own = [str(p) for p in self.plugin_dirs][: len(self.plugin_dirs) - len(env_dirs)]
        return {"plugin_dir": own, "autoload": self.autoload,
                "disabled": sorted(self.disabled - set(_env_list("COORDTUI_DISABLE_PLUGINS")))}

    # loading ------------------------------------------------------------------------
    def load(self) -> "PluginHost":
        if self.loaded:
            return self
        if self.autoload:
            self._load_entry_points()
        for folder in self.plugin_dirs:
            self._load_folder(folder)
        for name, module in self._extra:
            self._register(name, module, "registered", getattr(module, "__version__", "-"))
        self._collect()
        self.loaded = True
        return self

    def _load_entry_points(self) -> None:
        # A distribution's name and version parse its METADATA file each time they are asked for
        # (twice per entry point: 11 ms of every start for the five built-in models): once per distribution.
        from importlib.metadata import entry_points

        described: dict[int, tuple[str, str]] = {}
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            if dist is not None and id(dist) not in described:
                metadata = dist.metadata
                described[id(dist)] = (metadata["Name"], metadata["Version"])
            dist_name, version = described[id(dist)] if dist is not None else (None, "-")
            source = f"entry point {ep.value}" + (f" ({dist_name})" if dist_name else "")
            if self._blocked(ep.name, source, version):
                continue
            try:
                module = ep.load()
            except BaseException as exc:  # noqa: B036 - a broken plugin (even one raising KeyboardInterrupt or SystemExit) must not stop the others
                why = _describe(exc)
                self._fail_new(ep.name, source, version, Bilingual(f"failed to import: {why}", f"导入失败：{why.zh}"))
                continue
            self._register(ep.name, module, source, version)

    def _load_folder(self, folder: Path) -> None:
        """Each package or module in ``folder`` is a plugin, imported under its own name.

        A package's hooks are in its ``plugin`` submodule when it has one (as the built-in models
        and ``coordtui plugin new`` lay them out), else in the package itself.
        """
        if not folder.is_dir():
            self._fail_new(str(folder), f"folder {folder}", "-", Bilingual("plugin folder does not exist", "插件目录不存在"))
            return
        # At the end of the path, never before it: a module in the folder must not stand in for
        # a library of the same name (an icalendar.py would break every calendar export).
        if str(folder) not in sys.path:
            sys.path.append(str(folder))
        _FOLDERS.add(str(folder))
        importlib.invalidate_caches()
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith((".", "_")) or entry.name in ("tests", "build", "dist"):
                continue
            if entry.is_dir() and (entry / "__init__.py").exists():
                target = f"{entry.name}.plugin" if (entry / "plugin.py").exists() else entry.name
            elif entry.suffix == ".py" and entry.stem.isidentifier():
                target = entry.stem
            else:
                continue
            name, source = entry.stem, f"folder {entry}"
            if self._blocked(name, source, "-"):
                continue
            shadowed = _found_elsewhere(entry.stem, folder)
            if shadowed:
                self._fail_new(name, source, "-", Bilingual(
                    f"its name would shadow the module '{entry.stem}' ({shadowed}): rename the plugin",
                    f"其名称会遮蔽模块“{entry.stem}”（{getattr(shadowed, 'zh', shadowed)}）：请给插件改名"))
                continue
            try:
                module = _import_from(folder, entry.stem, target)
            except BaseException as exc:  # noqa: B036 - a plugin's KeyboardInterrupt or SystemExit must not end coordtui
                why = _describe(exc)
                self._fail_new(name, source, "-", Bilingual(f"failed to import: {why}", f"导入失败：{why.zh}"))
                continue
            package = sys.modules.get(entry.stem)
            version = getattr(module, "__version__", getattr(package, "__version__", "-"))
            if not self._has_hooks(module) and self._has_hooks(getattr(module, "PLUGIN", None)):
                module = module.PLUGIN  # the hooks live on a ModelPlugin object
            self._register(name, module, source, version)

    def _has_hooks(self, obj: object) -> bool:
        return obj is not None and any(self.pm.parse_hookimpl_opts(obj, attr) is not None for attr in dir(obj) if attr.startswith("coordtui_"))

    def _blocked(self, name: str, source: str, version: str) -> bool:
        if name in self.disabled:
            self.plugins[name] = PluginInfo(name, source, version, DISABLED,
                                            Bilingual("blocked by COORDTUI_DISABLE_PLUGINS", "已被 COORDTUI_DISABLE_PLUGINS 停用"))
            return True
        return False

    def _fail_new(self, name: str, source: str, version: str, cause: Bilingual) -> None:
        self.plugins[name] = PluginInfo(name, source, version, FAILED, cause)

    def _register(self, name: str, module: object, source: str, version: str) -> None:
        if name in self.plugins and self.plugins[name].status == OK:
            first = self.plugins[name].source
            self._fail_new(f"{name} ({source})", source, version, Bilingual(
                f"a plugin named '{name}' is already loaded from {first}", f"已从{_source_zh(first)}加载了同名插件“{name}”"))
            return
        hooks = hook_names()
        unknown = [
            attr for attr in dir(module)
            if self.pm.parse_hookimpl_opts(module, attr) is not None and attr not in hooks
        ]
        if unknown:
            self._fail_new(name, source, version, Bilingual(
                f"unknown hook {', '.join(unknown)} (misspelt? known hooks: {', '.join(hooks)})",
                f"未知的钩子 {'、'.join(unknown)}（拼写错误？已知的钩子：{'、'.join(hooks)}）"))
            return
        try:
            self.pm.register(module, name=name)
        except Exception as exc:  # pluggy.PluginValidationError: a hook with wrong arguments
            why = _describe(exc)
            self._fail_new(name, source, version, Bilingual(f"failed validation: {why}", f"未通过校验：{why.zh}"))
            return
        self.plugins[name] = PluginInfo(name, source, version)
        self._order.append(name)

    # calling --------------------------------------------------------------------------
    def _impls(self, hook: str) -> list[Any]:
        impls = getattr(self.pm.hook, hook).get_hookimpls()
        rank = {n: i for i, n in enumerate(self._order)}
        return sorted(impls, key=lambda i: rank.get(i.plugin_name, 1 << 30))

    def fail(self, plugin: str, cause: str) -> None:
        """Switch a plugin off (its contributions go with it) and record why (a
        :class:`~coordtui.i18n.Bilingual` for both languages; a plain str shows as it is in both)."""
        info = self.plugins.get(plugin)
        if info is None or info.status != OK:
            return
        info.status, info.cause = FAILED, cause if isinstance(cause, Bilingual) else Bilingual(cause)
        try:
            self.pm.unregister(name=plugin)
        except ValueError:
            pass

    def _call_each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        results = []
        for impl in self._impls(hook):
            if self.plugins[impl.plugin_name].status != OK:
                continue
            try:
                value = impl.function(**{a: kwargs[a] for a in impl.argnames})
            except BaseException as exc:  # noqa: B036 - SystemExit or KeyboardInterrupt from a hook switches the plugin off too
                why = _describe(exc)
                self.fail(impl.plugin_name, Bilingual(f"raised in {hook}: {why}", f"在 {hook} 中出错：{why.zh}"))
                continue
            results.append((impl.plugin_name, value))
        return results

    def _collect(self) -> None:
        from coordtui.domain.model import ModelSpec

        for plugin, value in self._call_each("coordtui_models"):
            if value is None:
                continue
            if not isinstance(value, (list, tuple)) or not all(isinstance(m, ModelSpec) for m in value):
                self.fail(plugin, Bilingual(f"coordtui_models returned {type(value).__name__}, expected a list of ModelSpec",
                                            f"coordtui_models 返回了 {type(value).__name__}，应返回 ModelSpec 的列表"))
                continue
            for model in value:
                if model.id in self.models:
                    owner = self._model_owner[model.id]
                    self.fail(plugin, Bilingual(f"model id '{model.id}' is already provided by plugin {owner}",
                                                f"模型标识“{model.id}”已由插件 {owner} 提供"))
                    break
                self.models[model.id] = model
                self._model_owner[model.id] = plugin
        self._drop_failed()
        for hook in _CONTRIBUTIONS:
            expected = _expected(hook)
            for model in list(self.models.values()):
                for plugin, value in self._call_each(hook, model=model):
                    if value is None:
                        continue
                    if not isinstance(value, (list, tuple)) or not all(isinstance(v, expected) for v in value):
                        self.fail(plugin, Bilingual(f"{hook} returned {type(value).__name__}, expected a list of {expected.__name__}",
                                                    f"{hook} 返回了 {type(value).__name__}，应返回 {expected.__name__} 的列表"))
                        continue
                    problem = self._check_items(hook, model, value)
                    if problem:
                        self.fail(plugin, Bilingual(f"{hook}: {problem}", f"{hook}：{problem.zh}"))
                        continue
                    self._contrib[hook].extend((plugin, model.id, v) for v in value)
            self._drop_failed()
        for plugin, info in self.plugins.items():
            info.models = [m for m, owner in self._model_owner.items() if owner == plugin and m in self.models]

    def _check_items(self, hook: str, model: ModelSpec, items: list[Any]) -> Bilingual | None:
        """Rule ids start with the model's id and are unique among rules (and among obligations).

        A rule and an obligation may share an id: both report under one rule of the domain.
        """
        from coordtui.domain.model import Rule

        if hook not in ("coordtui_rules", "coordtui_obligations"):
            return None
        existing = {self._rule_id(v) for _, m, v in self._contrib[hook] if m == model.id}
        for item in items:
            rule_id = self._rule_id(item)
            if not rule_id.startswith(model.id + "."):
                return Bilingual(f"rule id '{rule_id}' must start with '{model.id}.'", f"规则标识“{rule_id}”必须以“{model.id}.”开头")
            if rule_id in existing:
                return Bilingual(f"rule id '{rule_id}' is declared twice", f"规则标识“{rule_id}”声明了两次")
            if not callable(item.check if isinstance(item, Rule) else item.duties):
                return Bilingual(f"rule '{rule_id}' has nothing to call", f"规则“{rule_id}”没有可调用的检查函数")
            existing.add(rule_id)
        return None

    @staticmethod
    def _rule_id(item: Rule | Obligation) -> str:
        from coordtui.domain.model import Rule

        return item.id if isinstance(item, Rule) else item.rule

    def _drop_failed(self) -> None:
        failed = {n for n, i in self.plugins.items() if i.status != OK}
        for model_id, owner in list(self._model_owner.items()):
            if owner in failed:
                self.models.pop(model_id, None)
        for hook, items in self._contrib.items():
            self._contrib[hook] = [(p, m, v) for p, m, v in items if p not in failed and m in self.models]

    # results ------------------------------------------------------------------------
    def _for(self, hook: str, model_id: str) -> list[Any]:
        return [v for p, m, v in self._contrib[hook] if m == model_id]

    def rules(self, model_id: str) -> list[Rule]:
        return self._for("coordtui_rules", model_id)

    def obligations(self, model_id: str) -> list[Obligation]:
        return self._for("coordtui_obligations", model_id)

    def screens(self, model_id: str) -> list[ScreenSpec]:
        return self._for("coordtui_screens", model_id)

    def exports(self, model_id: str) -> list[ExportSpec]:
        return self._for("coordtui_exports", model_id)

    def fixtures(self, model_id: str) -> list[dict[str, Any]]:
        return self._for("coordtui_fixtures", model_id)

    def owner(self, model_id: str) -> str | None:
        return self._model_owner.get(model_id)

    def contributor(self, hook: str, item: Any) -> str | None:
        for plugin, _, value in self._contrib[hook]:
            if value is item:
                return plugin
        return None

    def model(self, model_id: str) -> ModelSpec:
        from coordtui.errors import InputError

        try:
            return self.models[model_id]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none loaded"
            raise InputError(f"unknown model '{model_id}' (loaded models: {known}): check 'coordtui plugins'",
                             message_zh=f"未知的模型“{model_id}”（已加载的模型：{known}）：请用 coordtui plugins 查看") from None
