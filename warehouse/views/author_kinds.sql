-- What kind of author a byline names: the list is data, edit it here (a run's `migrate`
-- re-creates the view). `match` is compared with the byline lower-cased, accents KEPT ('báo '
-- is the paper, 'bảo ' a person's name), exactly ('name'), at its start ('prefix') or at its
-- end ('suffix'). A byline no row matches is a person. Bylines seen on the site and in
-- vietnamese-text.md §5: PV, P.V, CTV, BTV, BBT, Nhóm PV; sources such as TTXVN go to
-- `source`, but a wire credited as the author is a wire.
create or replace view author_kinds as
select * from (values
    ('name', 'bbt', 'institution', 'Ban biên tập: the editorial board'),
    ('name', 'ban biên tập', 'institution', 'the editorial board, spelled out'),
    ('name', 'pv', 'institution', 'phóng viên: a staff reporter, unnamed'),
    ('name', 'p.v', 'institution', 'PV with a dot'),
    ('name', 'phóng viên', 'institution', 'PV spelled out'),
    ('name', 'ctv', 'institution', 'cộng tác viên: a contributor, unnamed'),
    ('name', 'btv', 'institution', 'biên tập viên: an editor, unnamed'),
    ('name', 'tòa soạn', 'institution', 'the newsroom'),
    ('name', 'lso', 'institution', 'the paper''s own dateline used as a byline'),
    ('name', 'báo lạng sơn', 'institution', 'the paper itself'),
    ('prefix', 'nhóm ', 'institution', 'a group: Nhóm PV, Nhóm phóng viên'),
    ('prefix', 'ban ', 'institution', 'a desk or board: Ban Thời sự'),
    ('prefix', 'báo ', 'institution', 'another paper: Báo Nhân Dân'),
    ('prefix', 'tạp chí ', 'institution', 'a magazine'),
    ('prefix', 'đài ', 'institution', 'a broadcaster'),
    ('prefix', 'sở ', 'institution', 'a provincial department'),
    ('prefix', 'ubnd', 'institution', 'a people''s committee'),
    ('prefix', 'trung tâm ', 'institution', 'a centre'),
    ('name', 'vov', 'institution', 'Voice of Vietnam'),
    ('name', 'vtv', 'institution', 'Vietnam Television'),
    ('name', 'ttxvn', 'wire', 'Thông tấn xã Việt Nam, the national news agency'),
    ('name', 'ttxvn/vna', 'wire', 'TTXVN in English'),
    ('name', 'vna', 'wire', 'TTXVN in English'),
    ('name', 'thông tấn xã việt nam', 'wire', 'TTXVN spelled out'),
    ('name', 'ttvn', 'wire', 'TTXVN''s news service'),
    ('name', 'bnews', 'wire', 'TTXVN''s economic wire'),
    ('name', 'vnanet', 'wire', 'TTXVN''s photo and news wire'),
    ('name', 'reuters', 'wire', 'foreign wire'),
    ('name', 'afp', 'wire', 'foreign wire'),
    ('name', 'ap', 'wire', 'foreign wire'),
    ('name', 'xinhua', 'wire', 'foreign wire'),
    ('name', 'tân hoa xã', 'wire', 'Xinhua in Vietnamese')
) as kinds (pattern, match, kind, note);

comment on view author_kinds is 'Bylines that are not a person: institution (the paper''s boards and unnamed staff: BBT, PV, CTV, Nhóm ...) or wire (TTXVN, Reuters ...). Data: edit warehouse/views/author_kinds.sql. Any other byline is a person.';
comment on column author_kinds.pattern is '''name'' (the whole byline), ''prefix'' (its start) or ''suffix'' (its end).';
comment on column author_kinds.match is 'Text compared with the byline lower-cased, accents kept.';
comment on column author_kinds.kind is '''institution'' or ''wire''.';
comment on column author_kinds.note is 'What the byline means, and why it is in this list.';
