from bot.intent import EntityIndex, IntentClassifier, mask_entities, name_variants

INDEX = EntityIndex([
    ("account", "1", "ACME Manufacturing", ["艾克米制造", "ACME", "艾克米"]),
    ("account", "2", "Globex Corporation", ["环球科技", "Globex"]),
    ("account", "3", "ACME Retail", ["艾克米零售"]),
    ("deal", "10", "江苏能源5G专网项目（12城）", ["Jiangsu Energy 5G Private Network (12 cities)", "5G专网项目"]),
])


def test_exact_alias_links_account() -> None:
    [match] = INDEX.link("ACME 最近怎么样?")
    assert (match.kind, match.id) == ("account", "1")


def test_chinese_name_links_account() -> None:
    assert INDEX.link("环球科技最近怎么样")[0].id == "2"


def test_typo_links_account() -> None:
    assert INDEX.link("how is Globx Corporation doing")[0].id == "2"


def test_longer_name_wins_over_contained_alias() -> None:
    ids = [m.id for m in INDEX.link("brief me on ACME Retail")]
    assert ids == ["3"]


def test_deal_alias_links_deal() -> None:
    matches = INDEX.link("给5G专网项目建个作战室")
    assert matches[0].kind == "deal" and matches[0].id == "10"


def test_unrelated_text_links_nothing() -> None:
    assert INDEX.link("what can you do") == []


def test_suffixes_are_stripped_in_variants() -> None:
    assert "globex" in name_variants(["Globex Corporation"])
    assert "江苏能源" in name_variants(["江苏能源集团"])


def test_mask_replaces_mentions_with_kind() -> None:
    text = "ACME 最近怎么样"
    assert mask_entities(text, INDEX.link(text)) == "<account> 最近怎么样"


def test_classifier_prefers_matching_examples_in_both_languages() -> None:
    clf = IntentClassifier({
        "insight": ["{account} 最近怎么样", "brief me on {account}"],
        "cases": ["有没有类似的案例", "any similar cases"],
    })
    assert clf.classify("<account> 最近怎么样")[0].skill == "insight"
    assert clf.classify("brief me on <account>")[0].skill == "insight"
    assert clf.classify("有没有相关案例")[0].skill == "cases"
    assert clf.classify("any cases like this")[0].skill == "cases"


def test_deal_aliases_drop_parenthetical_and_customer_prefix() -> None:
    from bot.runtime import deal_aliases

    aliases = deal_aliases("江苏能源5G专网项目（12城）", "Jiangsu Energy 5G Private Network (12 cities)",
                           ["江苏省能源集团", "Jiangsu Energy Group", "苏能集团"])
    assert {"5G专网项目", "江苏能源5G专网项目", "5G Private Network"} <= set(aliases)


def test_runtime_links_short_deal_name(runtime) -> None:
    viewer = runtime.crm.viewer_for("wang.wei")
    [match] = [m for m in runtime.entities(viewer).link("给5G专网项目建个作战室") if m.kind == "deal"]
    assert runtime.crm.get_opportunity(viewer, int(match.id)).name.startswith("江苏能源5G专网项目")
