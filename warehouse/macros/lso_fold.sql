-- The search shadow of a text, the same string as lso_etl.textnorm.fold: lower case, every
-- accent stripped (both tone placements, "hoà" and "hòa", fold alike), đ and the look-alike ð
-- folded to d (strip_accents leaves them), words of [a-z0-9] one space apart.
create or replace macro lso_fold(text) as
    trim(regexp_replace(
        strip_accents(replace(replace(lower(text), 'đ', 'd'), 'ð', 'd')),
        '[^a-z0-9]+', ' ', 'g'
    ));
