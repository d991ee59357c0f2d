-- A page cannot be published after we first fetched it (an hour's leeway for clock skew).
select article_id, published_at, first_seen_at
from articles
where published_at > first_seen_at + interval 1 hour;
