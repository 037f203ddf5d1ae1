"""Guard policies from YAML: per profile and stage, which scorers run, their thresholds and actions.

    profiles:
      default:
        quotations: {action: annotate, scorers: [toxicity, lexicon]}
        input:
          toxicity: {threshold: 0.5, action: block, reason: toxic language}
          pii: {action: redact}
      strict:
        extends: default
        quotations: off
        output:
          toxicity: {threshold: 0.2}

A profile that `extends` another starts from its rules and overrides them field by field.
A rule may ask for confirmation by other scorers of the same stage,
`injection: {threshold: 0.5, action: block, confirm: {injection-model: 0.7}}`: its action then
applies only to texts those scorers score at or over the given values, and its findings on other
texts are annotated. `threshold: model` and `confirm: {injection-model: model}` take the values
the scorer's own model chose when it was built (its config.json, genguard.scoring.base.chosen),
read when the policy is loaded, so that a new model brings its threshold with it. A rule may also
give a milder action to its findings that lie inside what another scorer of the stage flags,
`toxicity: {..., inside: {language: annotate}}`: a toxicity finding on a sentence written in a
language the model was not measured on is then annotated, not blocked. Every mistake is reported
with the file and line it is on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field

from genguard.errors import ConfigError, ModelLoadError
from genguard.files import decode_utf8, read_bytes
from genguard.scoring import available
from genguard.scoring.base import chosen, parameters
from genguard.types import Result

Action = Literal["allow", "annotate", "disclaimer", "redact", "block"]
# In rising severity. `disclaimer` passes the text on unchanged with a notice to show beside it
# (the flags are the reasons, e.g. the citations scorer's per-citation verdicts); it never stops
# a text, so it ranks below redact and block, which change or stop it.
ACTIONS: tuple[Action, ...] = ("allow", "annotate", "disclaimer", "redact", "block")
STAGES = ("input", "output", "training")
DEFAULT_POLICY = Path(__file__).with_name("policies") / "default.yaml"

_RULE_KEYS = {"threshold", "action", "reason", "params", "confirm", "inside"}
CHOSEN = "model"  # `threshold: model`: the value the scorer's own model chose (scoring.base.chosen)
_PROFILE_KEYS = {"extends", "quotations", "description", *STAGES}


class Rule(Result):
    """Run `scorer` (built with `params`); findings scoring >= threshold trigger `action`, on texts
    that every scorer in `confirm` scores at or over its value (on other texts: `annotate`, or
    `action` where that is milder). A finding whose span lies inside a span that scorer X of
    `inside` flags (at X's rule threshold) gets `inside[X]` instead, where that is milder."""

    scorer: str
    action: Action = "annotate"
    threshold: float | None = None
    reason: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    confirm: dict[str, float] = Field(default_factory=dict)
    inside: dict[str, Action] = Field(default_factory=dict)

    def action_for(self, scores: dict[str, float]) -> Action:
        """The action this rule's findings on a text get, given every scorer's score of the text."""
        if all(scores.get(name, 0.0) >= value for name, value in self.confirm.items()):
            return self.action
        return min(self.action, "annotate", key=ACTIONS.index)


class QuotationRule(Result):
    """Findings of these scorers inside labelled quotations get `action` instead of the rule's."""

    action: Action = "annotate"
    scorers: tuple[str, ...] = ("toxicity", "lexicon")


class Profile(Result):
    """The rules of each stage, and the quotation rule (None: quotations count like any text)."""

    name: str
    description: str = ""
    stages: dict[str, tuple[Rule, ...]]
    quotations: QuotationRule | None = None


class _Lines(dict):
    """A mapping from YAML that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _Lines:
        mapping = _Lines(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


class Policy:
    """Named profiles read from one YAML file; `profile(name)` resolves `extends` chains."""

    def __init__(self, source: str, raw: _Lines) -> None:
        self.source = source
        self._raw = raw
        if not isinstance(raw, dict) or not isinstance(raw.get("profiles"), dict) or not raw["profiles"]:
            line = getattr(raw, "line", 1)
            raise ConfigError(f"{source} line {line}: a policy needs a non-empty 'profiles:' mapping")
        self._profiles = {name: self._resolve(str(name), ()) for name in raw["profiles"]}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Policy:
        """The policy in `path` (the built-in default policy when None)."""
        path = Path(path) if path is not None else DEFAULT_POLICY
        text = decode_utf8(read_bytes(path, ConfigError, "policy"), path, ConfigError)
        return cls.from_yaml(text, str(path))

    @classmethod
    def from_yaml(cls, text: str, source: str = "<policy>") -> Policy:
        try:
            raw = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
        return cls(source, raw)

    @property
    def profiles(self) -> list[str]:
        return list(self._profiles)

    def profile(self, name: str = "default") -> Profile:
        if name not in self._profiles:
            raise ConfigError(f"{self.source}: no profile {name!r}; profiles: {', '.join(self._profiles)}")
        return self._profiles[name]

    def _err(self, mapping: Any, key: str | None, message: str) -> ConfigError:
        line = mapping.key_lines.get(key, mapping.line) if isinstance(mapping, _Lines) and key else None
        line = line or getattr(mapping, "line", None)
        return ConfigError(f"{self.source} line {line}: {message}" if line else f"{self.source}: {message}")

    def _resolve(self, name: str, chain: tuple[str, ...]) -> Profile:
        profiles = self._raw["profiles"]
        body = profiles.get(name)
        if name in chain:
            raise self._err(
                profiles, name, f"profile {name!r} extends itself ({' -> '.join((*chain, name))})"
            )
        if not isinstance(body, dict):
            raise self._err(profiles, name, f"profile {name!r} must be a mapping of stages to rules")
        unknown = set(body) - _PROFILE_KEYS
        if unknown:
            key = sorted(unknown)[0]
            raise self._err(
                body, key, f"unknown key {key!r} in profile {name!r}; use {sorted(_PROFILE_KEYS)}"
            )
        if "extends" in body:
            parent_name = body["extends"]
            if parent_name not in profiles:
                raise self._err(body, "extends", f"profile {name!r} extends unknown profile {parent_name!r}")
            parent = self._resolve(str(parent_name), (*chain, name))
        else:
            parent = Profile(name=name, stages={s: () for s in STAGES})
        stages = dict(parent.stages)
        for stage in STAGES:
            if stage in body:
                stages[stage] = self._stage(body, stage, {r.scorer: r for r in parent.stages[stage]})
        quotations = parent.quotations
        if "quotations" in body:
            quotations = self._quotations(body)
        return Profile(
            name=name, description=str(body.get("description", "")), stages=stages, quotations=quotations
        )

    def _stage(self, body: _Lines, stage: str, inherited: dict[str, Rule]) -> tuple[Rule, ...]:
        rules = body[stage]
        if rules is None:
            return ()
        if not isinstance(rules, dict):
            raise self._err(body, stage, f"stage {stage!r} must map scorer names to rules")
        out = dict(inherited)
        for scorer, spec in rules.items():
            if scorer not in available():
                raise self._err(
                    rules, scorer, f"unknown scorer {scorer!r}; known scorers: {', '.join(available())}"
                )
            if spec is None or spec is False or spec == "off":  # YAML reads a bare off as False
                out.pop(scorer, None)
                continue
            if not isinstance(spec, dict):
                raise self._err(
                    rules, scorer, f"rule for {scorer!r} must be a mapping (threshold, action, ...)"
                )
            bad = set(spec) - _RULE_KEYS
            if bad:
                key = sorted(bad)[0]
                raise self._err(
                    spec, key, f"unknown rule key {key!r} for {scorer!r}; use {sorted(_RULE_KEYS)}"
                )
            fields = out[scorer].model_dump() if scorer in out else {"scorer": scorer}
            fields.update(spec)
            for key in ("confirm", "inside"):  # `inside: null` switches an inherited mapping off
                if key in spec and spec[key] is None:
                    fields[key] = {}
            self._take_chosen(spec, scorer, fields, rules, out)
            self._check_rule(spec, scorer, fields)
            out[scorer] = Rule(**fields)
        for rule in out.values():
            for key, named, says, hint in (
                ("confirm", rule.confirm, "asks {} to confirm it", ""),
                ("inside", rule.inside, "acts inside what {} flags", " (`inside: null` drops that)"),
            ):
                missing = sorted(set(named) - set(out))
                if missing:
                    what = says.format(repr(missing[0]))
                    raise self._err(
                        rules.get(rule.scorer, rules),
                        key,
                        f"{rule.scorer!r} {what}, but stage {stage!r} does not run it{hint}",
                    )
        return tuple(out.values())

    def _take_chosen(
        self, spec: _Lines, scorer: str, fields: dict[str, Any], rules: _Lines, known: dict[str, Rule]
    ) -> None:
        """Replace `threshold: model` and each `confirm: {X: model}` in `fields` by what the model
        of the scorer concerned chose (for X: with X's params in this stage)."""
        if fields.get("threshold") == CHOSEN:
            params = fields.get("params")
            fields["threshold"] = self._chosen(spec, "threshold", scorer, params)
        confirm = fields.get("confirm")
        if isinstance(confirm, dict) and CHOSEN in confirm.values():
            resolved = {}
            for other, value in confirm.items():
                if value == CHOSEN:
                    raw = rules.get(other) if isinstance(rules.get(other), dict) else {}
                    params = raw.get("params", known[other].params if other in known else {})
                    value = self._chosen(spec, "confirm", other, params)
                resolved[other] = value
            fields["confirm"] = resolved

    def _chosen(self, spec: _Lines, key: str, scorer: Any, params: Any) -> float:
        if not isinstance(scorer, str) or scorer not in available():
            raise self._err(spec, key, f"{key} 'model' names unknown scorer {scorer!r}")
        try:
            value = chosen(scorer, key, params if isinstance(params, dict) else {})
        except (ConfigError, ModelLoadError) as exc:
            raise self._err(spec, key, f"{key} 'model' for {scorer!r}: {exc}") from exc
        if value is None:
            raise self._err(
                spec, key, f"{scorer!r} has no {key} chosen by its model; give a number in [0, 1]"
            )
        return value

    def _check_rule(self, spec: _Lines, scorer: str, fields: dict[str, Any]) -> None:
        if fields.get("action", "annotate") not in ACTIONS:
            raise self._err(spec, "action", f"unknown action {fields['action']!r}; use {', '.join(ACTIONS)}")
        threshold = fields.get("threshold")
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1
        ):
            raise self._err(
                spec,
                "threshold",
                f"threshold for {scorer!r} must be a number in [0, 1] or {CHOSEN!r}, not {threshold!r}",
            )
        params = fields.get("params") or {}
        if not isinstance(params, dict):
            raise self._err(spec, "params", f"params for {scorer!r} must be a mapping")
        accepted = parameters(scorer)
        if accepted is not None:
            unknown = set(params) - accepted
            if unknown:
                raise self._err(
                    spec,
                    "params",
                    f"{scorer!r} takes no parameter(s) {sorted(unknown)}; it takes {sorted(accepted)}",
                )
        if not isinstance(fields.get("reason", ""), str):
            raise self._err(spec, "reason", "reason must be text")
        confirm = fields.get("confirm", {})
        if not isinstance(confirm, dict) or not all(
            isinstance(k, str) and not isinstance(v, bool) and isinstance(v, int | float) and 0 <= v <= 1
            for k, v in confirm.items()
        ):
            raise self._err(
                spec,
                "confirm",
                f"confirm for {scorer!r} must map scorer names to numbers in [0, 1] or {CHOSEN!r}",
            )
        inside = fields.get("inside", {})
        if not isinstance(inside, dict) or not all(
            isinstance(k, str) and k != scorer and v in ACTIONS for k, v in inside.items()
        ):
            raise self._err(
                spec,
                "inside",
                f"inside for {scorer!r} must map other scorers' names to actions ({', '.join(ACTIONS)})",
            )

    def _quotations(self, body: _Lines) -> QuotationRule | None:
        spec = body["quotations"]
        if spec in (None, "off", False):
            return None
        if isinstance(spec, str):
            spec = {"action": spec}
        if not isinstance(spec, dict):
            raise self._err(body, "quotations", "quotations must be off, an action, or {action, scorers}")
        if spec.get("action", "annotate") not in ACTIONS:
            raise self._err(
                body, "quotations", f"unknown quotation action {spec['action']!r}; use {', '.join(ACTIONS)}"
            )
        scorers = spec.get("scorers", QuotationRule().scorers)
        if isinstance(scorers, str) or not all(s in available() for s in scorers):
            raise self._err(
                body, "quotations", f"quotation scorers must be a list of {', '.join(available())}"
            )
        return QuotationRule(action=spec.get("action", "annotate"), scorers=tuple(scorers))
