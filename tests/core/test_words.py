from bot.core.words import document, fold, words


def test_fold_drops_case_and_accents_and_spells_out_ligatures() -> None:
    assert fold("Café CRÈME Œuvre Straße Ærø") == "cafe creme oeuvre strasse aero"


def test_words_keep_what_holds_them_together_and_drop_the_rest() -> None:
    assert words("Fix my Node.js API, in C++ or C#! (l’équipe: 100%)") == [
        "fix", "my", "node.js", "api", "in", "c++", "or", "c#", "l'equipe", "100"]
    assert words("%_ — ...") == []


def test_a_document_holds_each_word_and_its_parts_once() -> None:
    assert document("Node.js API", "node api", "node.js") == " node.js node js api "
    assert document("", "") == ""
