from bot.lang import detect_language, pick


def test_chinese_question_with_english_name_is_chinese() -> None:
    assert detect_language("ACME 最近怎么样?") == "zh"


def test_english_question_is_english() -> None:
    assert detect_language("brief me on ACME") == "en"


def test_english_with_one_chinese_name_is_english() -> None:
    assert detect_language("how is the 艾 account doing this quarter") == "en"


def test_no_letters_falls_back_to_default() -> None:
    assert detect_language("🙂🙂 123", default="zh") == "zh"


def test_pick_chooses_by_language() -> None:
    assert pick("zh", "你好", "hello") == "你好"
    assert pick("en", "你好", "hello") == "hello"
