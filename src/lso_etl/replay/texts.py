"""Vietnamese word banks for the replay corpus: written for it, about provincial life in Lạng Sơn.

Templates take `str.format` fields filled per article by `corpus.py`: {place} (district name for
headlines), {huyen} (district in running text), {xa} (a commune), and numbers ({n}, {n2},
{k}, {pct}, {tang}, {ty}, {usd}, {gia}, {nam}, {nam_sau}, {thang}), {ky} (a period), {nganh} (a sector),
{viec} (a work item), {ong}/{ba} (invented local names). Nothing here names a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

# (headline form, running-text form)
PLACES: tuple[tuple[str, str], ...] = (
    ("Cao Lộc", "huyện Cao Lộc"),
    ("Văn Lãng", "huyện Văn Lãng"),
    ("Tràng Định", "huyện Tràng Định"),
    ("Bắc Sơn", "huyện Bắc Sơn"),
    ("Hữu Lũng", "huyện Hữu Lũng"),
    ("Chi Lăng", "huyện Chi Lăng"),
    ("Lộc Bình", "huyện Lộc Bình"),
    ("Đình Lập", "huyện Đình Lập"),
    ("Bình Gia", "huyện Bình Gia"),
    ("Văn Quan", "huyện Văn Quan"),
    ("Thành phố Lạng Sơn", "thành phố Lạng Sơn"),
)
COMMUNES = (
    "xã Tân Thanh", "xã Mẫu Sơn", "xã Hồng Phong", "xã Tân Liên", "xã Quốc Khánh",
    "xã Yên Trạch", "xã Bắc Quỳnh", "xã Thụy Hùng", "xã Đồng Bục", "xã Hoàng Đồng",
    "xã Chi Lăng", "xã Khánh Xuân",
)  # fmt: skip
# (first month it can be said in, period): a report never names a period that has not ended
PERIODS = (
    (1, "năm qua"), (4, "quý I"), (6, "5 tháng đầu năm"), (7, "6 tháng đầu năm"), (7, "quý II"),
    (10, "quý III"), (10, "9 tháng đầu năm"),
)  # fmt: skip
SECTORS = (
    "tài nguyên và môi trường", "giao thông vận tải", "công thương", "tư pháp",
    "lao động - thương binh và xã hội", "nội vụ", "kế hoạch và đầu tư",
)  # fmt: skip
WORK_ITEMS = (
    "công tác cán bộ", "tiến độ các dự án trọng điểm", "xây dựng nông thôn mới",
    "cải cách hành chính", "phát triển kinh tế cửa khẩu",
)  # fmt: skip
MEN = ("Hoàng Văn Tuấn", "Lăng Văn Sơn", "Nông Văn Thắng", "Vi Văn Hải", "Lương Văn Bình")
WOMEN = ("Hoàng Thị Mai", "Lộc Thị Hoa", "Nông Thị Lan", "Vi Thị Hằng", "Chu Thị Nga")

# Reporters as printed (capitals); the expected author is their title-cased form.
REPORTERS = (
    "MINH ĐỨC", "HOÀNG NHƯ", "ĐẶNG DŨNG", "THU HÀ", "NGỌC DUY", "HẢI YẾN", "VĂN ĐẠT",
    "PHƯƠNG THẢO", "QUANG HƯNG", "THÙY LINH", "BẢO NGỌC", "TRẦN HÙNG", "NÔNG HOA", "LƯƠNG QUÝ",
)  # fmt: skip
BYLINE_TOKENS = ("BBT", "PV", "NHÓM PV")  # kept as acronyms: "NHÓM PV" -> "Nhóm PV"
ROLE_PREFIXES = ("Bài, ảnh: ", "Tin, ảnh: ", "Bài và ảnh: ")
AUTHOR_SEPARATORS = (" – ", " - ")
# (line as printed, expected source)
SOURCES = (
    ("Theo TTXVN", "TTXVN"),
    ("(Theo TTXVN)", "TTXVN"),
    ("(Theo Báo Nhân Dân)", "Báo Nhân Dân"),
    ("Nguồn: VOV", "VOV"),
)


# Sentences that fit any section; mixed into every body.
COMMON_SENTENCES = (
    "Thời gian tới, {huyen} tiếp tục đẩy mạnh tuyên truyền để người dân hiểu và đồng thuận.",
    "Bên cạnh kết quả đạt được, công tác này vẫn còn một số hạn chế cần sớm khắc phục.",
    "Nguyên nhân chủ yếu là địa bàn rộng, địa hình chia cắt, nguồn lực đầu tư còn hạn chế.",
    "Địa phương sẽ rà soát, đề xuất cấp có thẩm quyền bố trí kinh phí trong năm {nam_sau}.",
    "Ông {ong}, Chủ tịch UBND {xa}, chia sẻ: “Nhờ cả hệ thống chính trị vào cuộc, đời sống "
    "của bà con đã có nhiều chuyển biến tích cực”.",
    "Bà {ba}, người dân {xa}, phấn khởi cho biết gia đình bà là một trong những hộ đầu tiên "
    "được hưởng lợi.",
    "Theo kế hoạch, đến hết năm {nam}, {huyen} phấn đấu hoàn thành {pct}% chỉ tiêu được giao.",
    "Công tác phối hợp giữa các cơ quan, đơn vị được thực hiện chặt chẽ, kịp thời.",
    "Nhiều mô hình hay, cách làm sáng tạo đã được nhân rộng trên địa bàn toàn tỉnh.",
    "Kinh phí được huy động từ ngân sách nhà nước, nguồn xã hội hóa và sự đóng góp của nhân dân.",
    "Trong tháng {thang}, địa phương đã tổ chức {n} cuộc kiểm tra, giám sát tại cơ sở.",
    "Hiện nay, các thôn đều đã có nhà văn hóa, đường bê tông và điện lưới quốc gia.",
    "Đến nay, tỷ lệ hộ nghèo trên địa bàn đã giảm xuống còn {tang}%.",
    "Qua đó, nhận thức và trách nhiệm của cán bộ, đảng viên và nhân dân được nâng lên rõ rệt.",
    "Địa phương kiến nghị tỉnh hỗ trợ thêm nguồn lực cho các xã đặc biệt khó khăn.",
    "Đây là kết quả của sự nỗ lực, đoàn kết của các cấp, các ngành và nhân dân các dân tộc.",
    "Các đơn vị sẽ tiếp tục theo dõi, hướng dẫn và kịp thời tháo gỡ khó khăn phát sinh.",
    "Tổng kinh phí dành cho các hoạt động này là {ty} tỷ đồng.",
    "Tổ công tác đã xuống từng thôn, bản để nắm tình hình, lắng nghe ý kiến của người dân.",
    "Với những kết quả đó, {huyen} là một trong những địa phương dẫn đầu toàn tỉnh.",
    "Thời tiết thuận lợi cũng giúp các hoạt động diễn ra đúng kế hoạch.",
    "Ứng dụng công nghệ thông tin giúp giảm thời gian, chi phí đi lại cho người dân.",
)

# Time phrases that open a lead; day/month are the event date (never the publish date).
LEAD_OPENERS_TODAY = ("Sáng nay ({d}/{m})", "Chiều nay ({d}/{m})")
LEAD_OPENERS_DATED = ("Sáng {d}/{m}", "Chiều {d}/{m}", "Ngày {d}/{m}", "Tối {d}/{m}")
LEAD_OPENERS_UNDATED = ("Thời gian qua", "Những năm gần đây", "Từ đầu năm đến nay")


@dataclass(frozen=True)
class Topic:
    """One section's writing: headline and lead templates, body sentences, captions."""

    headlines: tuple[str, ...]
    leads: tuple[str, ...]  # one per headline, same order
    sentences: tuple[str, ...]
    captions: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.headlines) != len(self.leads):
            raise ValueError("every headline template needs its lead template")
