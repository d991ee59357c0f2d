-- The words search reads, one definition for the articles and for the queries.
-- A word is a run of a-z, 0-9, accented Latin letters (Vietnamese among them) and combining
-- marks, after lower case and NFC (decomposed text is common); the look-alike ð reads as đ.
create or replace macro lso_search_words(text) as
    regexp_extract_all(
        nfc_normalize(replace(lower(coalesce(text, '')), 'ð', 'đ')),
        '[0-9a-zÀ-ɏ̀-ͯḀ-ỿ]+'
    );

-- A word's accent-free term: what every search matches (đ -> d, every mark stripped).
create or replace macro lso_search_term(word) as strip_accents(replace(word, 'đ', 'd'));

-- A word's accented key, for "the accents the user typed": the vowels keep their hat, breve
-- and horn, and the tone goes to the end as one letter (F huyền, S sắc, R hỏi, X ngã, J nặng).
-- A syllable carries one tone, so where it sits does not matter: "hoà" and "hòa" are both
-- "hoaF", while "của" (cuaR) and "cửa" (cưaR) stay apart.
create or replace macro lso_search_exact(word) as
    translate(
        word,
        'àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ',
        'aaaaaăăăăăâââââeeeeeêêêêêiiiiioooooôôôôôơơơơơuuuuuưưưưưyyyyy'
    ) || regexp_extract(
        translate(
            word,
            'àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ',
            'FSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJFSRXJ'
        ),
        '[FSRXJ]'
    );
