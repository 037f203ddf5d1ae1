"""Guard policies: the built-in policy, `extends`, the quotation rule, and errors naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genguard.errors import ConfigError
from genguard.guard.policy import DEFAULT_POLICY, STAGES, Policy, QuotationRule, Rule
from genguard.scoring import available
from genguard.scoring.injection_model import DEFAULT_MODEL_DIR


def rules(policy: Policy, profile: str, stage: str) -> dict[str, Rule]:
    return {r.scorer: r for r in policy.profile(profile).stages[stage]}


@pytest.fixture(scope="module")
def builtin() -> Policy:
    return Policy.load()


def test_builtin_policy_profiles(builtin: Policy) -> None:
    assert builtin.source == str(DEFAULT_POLICY)
    assert builtin.profiles == ["default", "strict", "creative"]
    default = builtin.profile("default")
    assert set(default.stages) == set(STAGES)
    assert default.description
    assert default.quotations == QuotationRule(action="annotate", scorers=("toxicity", "lexicon"))
    # the injection model's own threshold and the confirm step its build chose
    model = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    assert rules(builtin, "default", "input") == {
        "injection": Rule(
            scorer="injection",
            threshold=0.5,
            action="block",
            reason="prompt injection or jailbreak attempt",
            confirm={"injection-model": model["out_of_fold"]["policy_confirm"]["confirm"]},
        ),
        "injection-model": Rule(
            scorer="injection-model",
            threshold=model["threshold"],
            action="block",
            reason="prompt injection or jailbreak attempt",
        ),
        "toxicity": Rule(
            scorer="toxicity",
            threshold=0.5,
            action="block",
            reason="toxic language",
            inside={"language": "annotate"},
        ),
        "pii": Rule(scorer="pii", action="redact", reason="personal data"),
        "lexicon": Rule(scorer="lexicon", action="annotate", reason="profanity"),
        "language": Rule(
            scorer="language",
            threshold=0.99,
            action="annotate",
            reason="language the guard's models were not measured on",
        ),
    }
    assert set(rules(builtin, "default", "output")) == {"toxicity", "pii", "lexicon", "language"}
    assert set(rules(builtin, "default", "training")) == {"toxicity", "pii", "language"}


def test_strict_extends_default_field_by_field(builtin: Policy) -> None:
    strict = builtin.profile("strict")
    assert strict.quotations is None
    for stage in STAGES:
        tox = rules(builtin, "strict", stage)["toxicity"]
        assert tox.threshold == 0.2  # overridden
        assert tox.inside == {}  # text the model cannot read is blocked, not annotated
        assert (tox.action, tox.reason) == ("block", "toxic language")  # inherited
        assert rules(builtin, "strict", stage)["pii"] == rules(builtin, "default", stage)["pii"]
    assert rules(builtin, "strict", "input")["lexicon"] == Rule(
        scorer="lexicon", action="block", reason="profanity"
    )
    assert rules(builtin, "strict", "training")["lexicon"].action == "block"
    assert rules(builtin, "strict", "output")["injection"].reason == "injected instructions in the output"
    assert "injection" not in rules(builtin, "default", "output")


def test_creative_profile(builtin: Policy) -> None:
    creative = builtin.profile("creative")
    assert creative.quotations == QuotationRule(action="allow", scorers=("toxicity", "lexicon"))
    out = rules(builtin, "creative", "output")
    assert (out["toxicity"].threshold, out["toxicity"].action, out["toxicity"].reason) == (
        0.9,
        "block",
        "toxic language",
    )
    assert out["lexicon"].action == "allow"
    assert creative.stages["input"] == builtin.profile("default").stages["input"]


def test_unknown_profile(builtin: Policy) -> None:
    with pytest.raises(ConfigError, match=r"no profile 'lenient'; profiles: default, strict, creative"):
        builtin.profile("lenient")


EXTENDS = """\
profiles:
  base:
    description: the base
    quotations: {action: annotate, scorers: [toxicity]}
    output:
      toxicity: {threshold: 0.5, action: block, reason: rude, params: {threshold: 0.4}}
      pii: {action: redact}
      lexicon: {action: annotate}
  child:
    extends: base
    output:
      toxicity: {threshold: 0.7}
      lexicon: off
      injection: {threshold: 0.5, action: block}
  grandchild:
    extends: child
    quotations: off
    output:
      pii: {action: block, reason: no personal data}
"""


def test_extends_overrides_field_by_field() -> None:
    policy = Policy.from_yaml(EXTENDS)
    child = rules(policy, "child", "output")
    assert child["toxicity"] == Rule(
        scorer="toxicity", threshold=0.7, action="block", reason="rude", params={"threshold": 0.4}
    )
    assert child["pii"] == Rule(scorer="pii", action="redact")
    assert "lexicon" not in child  # a bare `off` removes an inherited rule
    assert child["injection"] == Rule(scorer="injection", threshold=0.5, action="block")
    assert policy.profile("child").quotations == QuotationRule(action="annotate", scorers=("toxicity",))
    assert policy.profile("child").description == ""  # descriptions are not inherited

    grandchild = rules(policy, "grandchild", "output")
    assert grandchild["toxicity"] == child["toxicity"]
    assert grandchild["pii"] == Rule(scorer="pii", action="block", reason="no personal data")
    assert policy.profile("grandchild").quotations is None
    for stage in ("input", "training"):
        assert policy.profile("grandchild").stages[stage] == ()


@pytest.mark.parametrize("spec", ["off", "'off'", "", "null"])
def test_ways_to_switch_a_rule_off(spec: str) -> None:
    text = (
        "profiles:\n  a:\n    input:\n      pii: {action: redact}\n"
        f"  b:\n    extends: a\n    input:\n      pii: {spec}\n"
    )
    assert Policy.from_yaml(text).profile("b").stages["input"] == ()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("off", None),
        ("false", None),
        ("null", None),
        ("annotate", QuotationRule(action="annotate")),
        ("block", QuotationRule(action="block")),
        ("{action: allow, scorers: [lexicon]}", QuotationRule(action="allow", scorers=("lexicon",))),
    ],
)
def test_quotation_rule_forms(spec: str, expected: QuotationRule | None) -> None:
    policy = Policy.from_yaml(f"profiles:\n  p:\n    quotations: {spec}\n")
    assert policy.profile("p").quotations == expected


def test_policy_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(EXTENDS, encoding="utf-8")
    assert Policy.load(path).profiles == ["base", "child", "grandchild"]


# Each bad policy, the line the error must name, and words the message must contain.
BAD = {
    "unknown scorer": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
      toxicty: {threshold: 0.5}
""",
        5,
        ["unknown scorer 'toxicty'", "known scorers: " + ", ".join(available())],
    ),
    "threshold out of range": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
      toxicity:
        action: block
        threshold: 1.5
""",
        7,
        ["threshold for 'toxicity' must be a number in [0, 1]", "1.5"],
    ),
    "threshold not a number": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
    output:
      toxicity:
        threshold: high
        action: block
""",
        7,
        ["threshold for 'toxicity' must be a number in [0, 1]", "'high'"],
    ),
    "threshold a boolean": (
        """\
profiles:
  default:
    input:
      toxicity: {threshold: yes}
""",
        4,
        ["threshold for 'toxicity' must be a number"],
    ),
    "unknown action": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
    training:
      lexicon:
        reason: swearing
        action: delete
""",
        8,
        ["unknown action 'delete'", "allow, annotate, disclaimer, redact, block"],
    ),
    "unknown rule key": (
        """\
profiles:
  default:
    input:
      pii:
        action: redact
        treshold: 0.5
""",
        6,
        ["unknown rule key 'treshold' for 'pii'", "threshold"],
    ),
    "unknown profile key": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
    outptu:
      pii: {action: redact}
""",
        5,
        ["unknown key 'outptu' in profile 'default'", "output"],
    ),
    "extends an unknown profile": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
  strict:
    description: stricter
    extends: defualt
""",
        7,
        ["profile 'strict' extends unknown profile 'defualt'"],
    ),
    "extends cycle": (
        """\
profiles:
  first:
    extends: second
  second:
    extends: first
""",
        2,
        ["extends itself", "first -> second -> first"],
    ),
    "extends itself": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
  loop:
    extends: loop
""",
        5,
        ["profile 'loop' extends itself"],
    ),
    "params a scorer does not take": (
        """\
profiles:
  default:
    input:
      pii:
        action: redact
        params: {region: US, colour: blue}
""",
        6,
        ["'pii' takes no parameter(s) ['colour']", "region", "types"],
    ),
    "params not a mapping": (
        """\
profiles:
  default:
    input:
      toxicity: {params: [model_dir]}
""",
        4,
        ["params for 'toxicity' must be a mapping"],
    ),
    "rule not a mapping": (
        """\
profiles:
  default:
    input:
      pii: redact
""",
        4,
        ["rule for 'pii' must be a mapping"],
    ),
    "stage not a mapping": (
        """\
profiles:
  default:
    description: x
    input:
      - pii
""",
        4,
        ["stage 'input' must map scorer names to rules"],
    ),
    "profile not a mapping": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
  strict: default
""",
        5,
        ["profile 'strict' must be a mapping"],
    ),
    "bad quotation action": (
        """\
profiles:
  default:
    input:
      pii: {action: redact}
    quotations: {action: hide}
""",
        5,
        ["unknown quotation action 'hide'"],
    ),
    "bad quotation scorers": (
        """\
profiles:
  default:
    quotations:
      scorers: [toxicity, sarcasm]
""",
        3,
        ["quotation scorers must be a list of", "toxicity"],
    ),
    "invalid YAML": (
        """\
profiles:
  default:
    input:
      pii: action: redact
""",
        4,
        ["not valid YAML", "mapping values are not allowed here"],
    ),
    "unclosed flow mapping": (
        """\
profiles:
  default:
    input:
      pii: {action: redact
      lexicon: {action: annotate}
""",
        5,
        ["not valid YAML"],
    ),
    "empty file": ("", 1, ["a policy needs a non-empty 'profiles:' mapping"]),
    "only comments": ("# nothing here\n", 1, ["a policy needs a non-empty 'profiles:' mapping"]),
    "missing profiles": (
        """\
rules:
  pii: redact
""",
        1,
        ["a policy needs a non-empty 'profiles:' mapping"],
    ),
    "confirm not a mapping": (
        """\
profiles:
  default:
    input:
      injection-model: {threshold: 0.9}
      injection: {threshold: 0.5, action: block, confirm: injection-model}
""",
        5,
        ["confirm for 'injection' must map scorer names to numbers in [0, 1]"],
    ),
    "confirm value out of range": (
        """\
profiles:
  default:
    input:
      injection-model: {threshold: 0.9}
      injection:
        action: block
        confirm: {injection-model: 3}
""",
        7,
        ["confirm for 'injection' must map scorer names to numbers in [0, 1]"],
    ),
    "confirm by a scorer the stage does not run": (
        """\
profiles:
  default:
    input:
      toxicity: {threshold: 0.5}
      injection:
        action: block
        confirm: {injection-model: 0.3}
""",
        7,
        ["'injection' asks 'injection-model' to confirm it, but stage 'input' does not run it"],
    ),
    "inside a scorer the stage does not run": (
        """\
profiles:
  default:
    input:
      toxicity: {threshold: 0.5, action: block, inside: {language: annotate}}
""",
        4,
        ["'toxicity' acts inside what 'language' flags, but stage 'input' does not run it"],
    ),
    "inside with an unknown action": (
        """\
profiles:
  default:
    input:
      language: {threshold: 0.99}
      toxicity: {threshold: 0.5, action: block, inside: {language: soften}}
""",
        5,
        ["inside for 'toxicity' must map other scorers' names to actions"],
    ),
    "inside itself": (
        """\
profiles:
  default:
    input:
      toxicity: {threshold: 0.5, action: block, inside: {toxicity: annotate}}
""",
        4,
        ["inside for 'toxicity' must map other scorers' names to actions"],
    ),
    "inside a list": (
        """\
profiles:
  default:
    input:
      language: {threshold: 0.99}
      toxicity: {threshold: 0.5, action: block, inside: []}
""",
        5,
        ["inside for 'toxicity' must map other scorers' names to actions"],
    ),
    "an extending profile switching the marking scorer off": (
        """\
profiles:
  default:
    input:
      language: {threshold: 0.99}
      toxicity: {threshold: 0.5, action: block, inside: {language: annotate}}
  lax:
    extends: default
    input:
      language: off
""",
        9,
        ["'toxicity' acts inside what 'language' flags", "`inside: null` drops that"],
    ),
    "a threshold the scorer's model did not choose": (
        """\
profiles:
  default:
    input:
      pii: {action: redact, threshold: model}
""",
        4,
        ["'pii' has no threshold chosen by its model; give a number in [0, 1]"],
    ),
    "a chosen threshold from a model folder that is not there": (
        """\
profiles:
  default:
    input:
      injection-model:
        params: {model_dir: /nowhere/injection-model}
        threshold: model
""",
        6,
        ["threshold 'model' for 'injection-model': cannot read /nowhere/injection-model/config.json"],
    ),
    "a chosen confirm step from an unknown scorer": (
        """\
profiles:
  default:
    input:
      injection: {threshold: 0.5, action: block, confirm: {injection-modle: model}}
""",
        4,
        ["confirm 'model' names unknown scorer 'injection-modle'"],
    ),
    "a misspelt chosen threshold": (
        """\
profiles:
  default:
    input:
      injection-model: {threshold: modle}
""",
        4,
        ["must be a number in [0, 1] or 'model', not 'modle'"],
    ),
    "empty profiles": ("profiles: {}\n", 1, ["a policy needs a non-empty 'profiles:' mapping"]),
    "profiles a list": ("profiles:\n  - default\n", 1, ["non-empty 'profiles:' mapping"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_policy_names_the_line(case: str, tmp_path: Path) -> None:
    text, line, words = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Policy.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path} line {line}: "), message
    for word in words:
        assert word in message


def test_non_utf8_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    data = "profiles:\n  default:\n    description: caf\u00e9\n".encode("latin-1")
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        Policy.load(path)
    bad_byte = data.index(0xE9)
    assert str(caught.value).startswith(f"{path} is not valid UTF-8 (byte {bad_byte}, line 3: ")


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"policy .*nowhere\.yaml not found"):
        Policy.load(tmp_path / "nowhere.yaml")


def test_policy_is_never_executed() -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        Policy.from_yaml("profiles: !!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_confirm_decides_the_action_per_text() -> None:
    """A rule with `confirm` acts only where the named scorers agree, annotates elsewhere, and
    never raises a milder action; switching the confirming scorer off in a profile that inherits
    the rule is an error, not a silent change."""
    rule = Rule(scorer="injection", threshold=0.5, action="block", confirm={"injection-model": 0.3})
    assert rule.action_for({"injection": 0.9, "injection-model": 0.3}) == "block"
    assert rule.action_for({"injection": 0.9, "injection-model": 0.29}) == "annotate"
    assert rule.action_for({"injection": 0.9}) == "annotate"
    assert Rule(scorer="lexicon", action="allow", confirm={"pii": 0.5}).action_for({}) == "allow"
    assert Rule(scorer="pii", action="redact").action_for({}) == "redact"
    with pytest.raises(ConfigError, match="asks 'injection-model' to confirm it"):
        Policy.from_yaml(
            "profiles:\n"
            "  default:\n"
            "    input:\n"
            "      injection-model: {threshold: 0.9}\n"
            "      injection: {action: block, confirm: {injection-model: 0.3}}\n"
            "  lax:\n"
            "    extends: default\n"
            "    input:\n"
            "      injection-model: off\n"
        ).profile("lax")


def test_inside_null_drops_an_inherited_mapping() -> None:
    policy = Policy.from_yaml(
        "profiles:\n"
        "  default:\n"
        "    input:\n"
        "      language: {threshold: 0.99}\n"
        "      toxicity: {threshold: 0.5, action: block, inside: {language: annotate}}\n"
        "  lax:\n"
        "    extends: default\n"
        "    input:\n"
        "      language: off\n"
        "      toxicity: {inside: null}\n",
        "lax.yaml",
    )
    (toxicity,) = policy.profile("lax").stages["input"]
    assert (toxicity.scorer, toxicity.inside, toxicity.action) == ("toxicity", {}, "block")


def test_model_chosen_values_come_from_the_model_folder_the_rule_names(tmp_path: Path) -> None:
    """`threshold: model` and `confirm: {injection-model: model}` read config.json of the model
    folder the injection-model rule of that stage uses (its params), wherever the rules stand."""
    shipped_config = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    config = json.loads(json.dumps(shipped_config))
    config["threshold"] = 0.61
    config["out_of_fold"]["policy_confirm"]["confirm"] = 0.3
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    policy = Policy.from_yaml(
        "profiles:\n"
        "  default:\n"
        "    input:\n"
        "      injection: {threshold: 0.5, action: block, confirm: {injection-model: model}}\n"
        f"      injection-model: {{threshold: model, params: {{model_dir: {tmp_path}}}}}\n"
        "  builtin:\n"
        "    input:\n"
        "      injection-model: {threshold: model}\n"
        "      injection: {threshold: 0.5, confirm: {injection-model: model}}\n"
    )
    mine = rules(policy, "default", "input")
    assert (mine["injection-model"].threshold, mine["injection"].confirm) == (0.61, {"injection-model": 0.3})
    shipped = rules(policy, "builtin", "input")
    assert shipped["injection-model"].threshold == shipped_config["threshold"] != 0.61
    assert shipped["injection"].confirm == {
        "injection-model": shipped_config["out_of_fold"]["policy_confirm"]["confirm"]
    }
