"""Each section's writing for the replay corpus (see texts.py for the fields the templates take).

`headlines[i]` and `leads[i]` belong together: the lead tells the headline's story. A lead
continues a time phrase ("Sáng nay (26/7), ..."), so it starts in lower case unless its first word
is a name.
"""

from __future__ import annotations

from lso_etl.replay.texts import Topic

TOPICS: dict[str, Topic] = {
    "thoi-su": Topic(
        headlines=(
            "{place} đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {nam}",
            "Lãnh đạo tỉnh kiểm tra công tác phòng, chống thiên tai tại {place}",
            "Ngành {nganh} sơ kết công tác {ky}",
            "Thường trực Tỉnh ủy làm việc với {place} về {viec}",
            "Đại biểu HĐND tỉnh tiếp xúc cử tri {place} trước kỳ họp thứ {k}",
            "Cửa khẩu Hữu Nghị thông quan hơn {n2} lượt phương tiện trong tháng {thang}",
            "{place}: Hoàn thành {n} công trình giao thông nông thôn",
        ),
        leads=(
            "{huyen} tổ chức hội nghị đôn đốc tiến độ thực hiện và giải ngân các dự án đầu tư "
            "công trên địa bàn.",
            "đoàn công tác của UBND tỉnh đã kiểm tra công tác chuẩn bị ứng phó mưa lũ tại {huyen}.",
            "ngành {nganh} tổ chức hội nghị sơ kết công tác {ky}, triển khai nhiệm vụ trọng tâm "
            "thời gian tới.",
            "Thường trực Tỉnh ủy đã có buổi làm việc với lãnh đạo {huyen} về {viec}.",
            "Tổ đại biểu HĐND tỉnh đã tiếp xúc cử tri tại {huyen} trước kỳ họp thường lệ.",
            "hoạt động xuất nhập khẩu qua cửa khẩu quốc tế Hữu Nghị tiếp tục thông suốt, lượng "
            "phương tiện tăng so với tháng trước.",
            "{huyen} đã nghiệm thu, bàn giao nhiều tuyến đường giao thông nông thôn làm theo "
            "phương châm nhà nước và nhân dân cùng làm.",
        ),
        sentences=(
            "Theo báo cáo, trong {ky}, {huyen} đã giải ngân được {pct}% kế hoạch vốn được giao.",
            "Nhiều công trình hạ tầng thiết yếu như đường giao thông, trường học, nhà văn hóa "
            "thôn đã được đưa vào sử dụng, phát huy hiệu quả.",
            "Tại buổi làm việc, lãnh đạo tỉnh ghi nhận những cố gắng của cấp ủy, chính quyền địa "
            "phương trong thời gian qua.",
            "Lãnh đạo tỉnh đề nghị {huyen} tập trung tháo gỡ vướng mắc trong giải phóng mặt "
            "bằng, không để các dự án chậm tiến độ kéo dài.",
            "Cử tri mong muốn các cấp quan tâm hơn nữa đến việc nâng cấp đường giao thông liên "
            "thôn, liên xã.",
            "Các ý kiến, kiến nghị của cử tri đã được đại diện các sở, ngành giải trình, làm rõ "
            "ngay tại hội nghị.",
            "Lưu lượng phương tiện qua cửa khẩu trung bình đạt khoảng {n} lượt xe mỗi giờ, chủ "
            "yếu là xe chở nông sản và hàng tiêu dùng.",
            "Lực lượng chức năng tại cửa khẩu phối hợp chặt chẽ, bố trí cán bộ làm việc cả ngày "
            "nghỉ để bảo đảm thông quan thông suốt.",
            "Để ứng phó với mưa lũ, địa phương đã chuẩn bị sẵn vật tư, phương tiện theo phương "
            "châm “bốn tại chỗ”.",
            "Hiện toàn {huyen} còn {n} điểm có nguy cơ sạt lở cần được theo dõi thường xuyên.",
        ),
        captions=(
            "Toàn cảnh hội nghị",
            "Đoàn công tác kiểm tra thực tế tại {huyen}",
            "Phương tiện chờ làm thủ tục thông quan tại cửa khẩu Hữu Nghị",
            "Cử tri {huyen} phát biểu ý kiến tại buổi tiếp xúc",
        ),
    ),
    "chinh-tri": Topic(
        headlines=(
            "Đảng bộ {place} kết nạp {n} đảng viên mới trong {ky}",
            "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh ở {place}",
            "{place} tổng kết công tác xây dựng Đảng {ky}",
            "Nâng cao chất lượng sinh hoạt chi bộ ở {xa}",
            "Khai giảng lớp bồi dưỡng lý luận chính trị cho {n} học viên tại {place}",
            "{place} đưa {n} thủ tục hành chính lên dịch vụ công trực tuyến",
            "HĐND {place} tổ chức kỳ họp thứ {k}",
        ),
        leads=(
            "Đảng bộ {huyen} tổ chức hội nghị đánh giá công tác phát triển đảng viên {ky}.",
            "{huyen} tổ chức hội nghị sơ kết việc học tập và làm theo tư tưởng, đạo đức, phong "
            "cách Hồ Chí Minh.",
            "Đảng bộ {huyen} tổ chức hội nghị tổng kết công tác xây dựng Đảng {ky}.",
            "Đảng ủy {xa} đã có nhiều cách làm mới nhằm nâng cao chất lượng sinh hoạt chi bộ.",
            "Trung tâm Chính trị {huyen} khai giảng lớp bồi dưỡng lý luận chính trị dành cho "
            "đảng viên mới.",
            "{huyen} tiếp tục đẩy mạnh cải cách hành chính, đưa nhiều thủ tục lên môi trường mạng.",
            "HĐND {huyen} khai mạc kỳ họp để xem xét, quyết định nhiều nội dung quan trọng của "
            "địa phương.",
        ),
        sentences=(
            "Trong {ky}, Đảng bộ {huyen} đã kết nạp {n} đảng viên mới, đạt {pct}% chỉ tiêu.",
            "Công tác kiểm tra, giám sát được thực hiện thường xuyên, góp phần giữ vững kỷ luật, "
            "kỷ cương trong Đảng.",
            "Các chi bộ đã đổi mới nội dung sinh hoạt, tập trung vào những vấn đề thiết thực gắn "
            "với nhiệm vụ chính trị của địa phương.",
            "Nhiều tập thể, cá nhân có cách làm hay trong học tập và làm theo Bác đã được biểu "
            "dương, khen thưởng.",
            "Các học viên được truyền đạt những nội dung cơ bản về chủ nghĩa Mác – Lênin, tư "
            "tưởng Hồ Chí Minh.",
            "Tỷ lệ hồ sơ được giải quyết trước và đúng hạn đạt {pct}%, không có hồ sơ quá hạn.",
            "Người dân có thể nộp hồ sơ, theo dõi tiến độ và nhận kết quả qua mạng mà không phải "
            "đến trụ sở cơ quan nhà nước.",
            "Tại kỳ họp, các đại biểu đã thảo luận, cho ý kiến vào {n} tờ trình và dự thảo nghị "
            "quyết.",
            "Chuyển đổi số được xác định là nhiệm vụ trọng tâm, gắn với cải cách hành chính và "
            "xây dựng chính quyền điện tử.",
            "Phát triển đảng viên ở vùng sâu, vùng xa còn khó khăn do nhiều thanh niên đi làm ăn "
            "xa.",
        ),
        captions=(
            "Quang cảnh kỳ họp",
            "Lãnh đạo {huyen} trao quyết định kết nạp đảng viên mới",
            "Cán bộ bộ phận một cửa hướng dẫn người dân nộp hồ sơ trực tuyến",
            "Các học viên dự lễ khai giảng",
        ),
    ),
    "kinh-te": Topic(
        headlines=(
            "Kim ngạch xuất nhập khẩu qua cửa khẩu Tân Thanh tăng {tang}% trong tháng {thang}",
            "Nông dân {place} phấn khởi vì hồi được mùa, được giá",
            "{place} có thêm {n} sản phẩm OCOP đạt chuẩn 3 sao",
            "Xây dựng nông thôn mới ở {xa}: Diện mạo làng quê đổi thay",
            "Hơn {n2} tấn na Chi Lăng được tiêu thụ trong mùa vụ năm {nam}",
            "{place} hỗ trợ {n} hộ dân phát triển chăn nuôi hàng hóa",
            "Thu ngân sách {place} đạt {pct}% dự toán trong {ky}",
            "{n} doanh nghiệp ở khu vực cửa khẩu áp dụng khai báo hải quan điện tử",
        ),
        leads=(
            "hoạt động xuất nhập khẩu hàng hóa qua cửa khẩu Tân Thanh tiếp tục duy trì ổn định.",
            "nhiều hộ dân {huyen} đang tập trung thu hái, phơi sấy hồi chính vụ.",
            "{huyen} tổ chức hội nghị đánh giá, phân hạng sản phẩm thuộc Chương trình mỗi xã một "
            "sản phẩm.",
            "sau nhiều năm thực hiện chương trình xây dựng nông thôn mới, {xa} đã có nhiều đổi "
            "thay rõ rệt.",
            "mùa na năm nay, người trồng na ở huyện Chi Lăng phấn khởi vì được mùa, được giá.",
            "{huyen} triển khai chương trình hỗ trợ phát triển chăn nuôi hàng hóa cho các hộ dân.",
            "công tác thu ngân sách nhà nước trên địa bàn {huyen} đạt kết quả khả quan.",
            "nhiều doanh nghiệp hoạt động ở khu vực cửa khẩu đã chuyển sang khai báo hải quan "
            "điện tử.",
        ),
        sentences=(
            "Mặt hàng xuất khẩu chủ yếu là nông sản, trái cây tươi như thanh long, dưa hấu, mít.",
            "Tổng kim ngạch xuất nhập khẩu trong {ky} ước đạt {usd} triệu USD, tăng so với cùng "
            "kỳ năm trước.",
            "Cây hồi là cây trồng chủ lực, gắn bó với đời sống đồng bào các dân tộc qua nhiều "
            "thế hệ.",
            "Năm nay, hồi khô được thương lái thu mua với giá khoảng {gia}.000 đồng/kg.",
            "Đến nay, {huyen} đã có {k} xã đạt chuẩn nông thôn mới.",
            "Người dân tự nguyện hiến đất, góp ngày công để làm đường bê tông nội đồng.",
            "Các sản phẩm OCOP được đóng gói, dán tem truy xuất nguồn gốc, đủ điều kiện bày bán "
            "tại siêu thị và trên các sàn thương mại điện tử.",
            "Nhờ áp dụng quy trình VietGAP, chất lượng quả na ngày càng được nâng lên.",
            "Mỗi hộ được hỗ trợ con giống, thức ăn và được tập huấn kỹ thuật phòng bệnh cho gia "
            "súc, gia cầm.",
            "Ngành thuế tăng cường đôn đốc thu nợ đọng, chống thất thu ngân sách.",
            "Khai báo hải quan điện tử giúp doanh nghiệp rút ngắn thời gian làm thủ tục, giảm "
            "chi phí lưu kho bãi.",
        ),
        captions=(
            "Xe hàng chờ xuất khẩu tại cửa khẩu Tân Thanh",
            "Người dân {huyen} thu hoạch hồi",
            "Một góc nông thôn mới {xa}",
            "Sản phẩm OCOP được trưng bày tại hội chợ",
        ),
    ),
    "xa-hoi": Topic(
        headlines=(
            "{place} khai giảng năm học mới với hơn {n2} học sinh",
            "Tiêm chủng mở rộng cho hơn {n2} trẻ em tại {place}",
            "Trao {n} suất học bổng cho học sinh nghèo vượt khó {place}",
            "{place}: Giải quyết việc làm cho {n2} lao động trong {ky}",
            "Khám bệnh, cấp thuốc miễn phí cho {n} người dân {xa}",
            "Chuyển đổi số trong trường học ở {place}: Những bước đi đầu tiên",
            "Bảo đảm nước sạch cho {n2} hộ dân vùng cao {place}",
        ),
        leads=(
            "ngành giáo dục {huyen} tổ chức lễ khai giảng năm học mới tại các trường học trên "
            "địa bàn.",
            "Trung tâm Y tế {huyen} phối hợp với trạm y tế các xã tổ chức đợt tiêm chủng mở rộng.",
            "{huyen} tổ chức trao học bổng cho học sinh có hoàn cảnh khó khăn, vượt khó học giỏi.",
            "công tác giải quyết việc làm cho người lao động ở {huyen} đạt nhiều kết quả tích cực.",
            "đoàn y, bác sĩ đã tổ chức khám bệnh, cấp thuốc miễn phí cho người dân {xa}.",
            "nhiều trường học ở {huyen} đã bước đầu ứng dụng công nghệ số trong dạy và học.",
            "{huyen} đã đưa vào sử dụng công trình cấp nước sinh hoạt tập trung cho người dân "
            "vùng cao.",
        ),
        sentences=(
            "Năm học này, toàn {huyen} có {n} trường học với hơn {n2} học sinh các cấp.",
            "Nhiều điểm trường lẻ ở vùng cao đã có phòng học kiên cố, nhà công vụ cho giáo viên.",
            "Các em được tặng sách vở, đồ dùng học tập và áo ấm trước khi mùa đông đến.",
            "Cán bộ y tế đến tận thôn bản vận động các gia đình đưa trẻ đi tiêm đủ mũi, đúng lịch.",
            "Tỷ lệ trẻ dưới một tuổi được tiêm chủng đầy đủ đạt {pct}%.",
            "Các bác sĩ đã khám, tư vấn về cao huyết áp, xương khớp, tiểu đường cho người dân.",
            "Qua các phiên giao dịch việc làm, hàng trăm lao động đã được kết nối với doanh "
            "nghiệp trong và ngoài tỉnh.",
            "Sổ điểm điện tử đã được dùng tại {pct}% số trường trên địa bàn.",
            "Giáo viên được tập huấn soạn bài giảng điện tử và tổ chức lớp học trực tuyến.",
            "Công trình cấp nước tập trung có tổng mức đầu tư hơn {ty} tỷ đồng.",
        ),
        captions=(
            "Học sinh {xa} trong ngày khai giảng",
            "Cán bộ y tế tiêm vắc xin cho trẻ",
            "Trao học bổng cho học sinh có hoàn cảnh khó khăn",
            "Bác sĩ khám bệnh cho người dân {xa}",
        ),
    ),
    "van-hoa": Topic(
        headlines=(
            "Khu du lịch Mẫu Sơn đón hơn {n2} lượt khách trong tháng {thang}",
            "Ngày hội văn hóa các dân tộc {place} năm {nam}",
            "Bảo tồn hát then, đàn tính ở {place}",
            "{place}: {n} nghệ nhân truyền dạy hát then cho thế hệ trẻ",
            "Phát triển du lịch cộng đồng gắn với văn hóa Xứ Lạng tại {xa}",
            "Liên hoan văn nghệ quần chúng {place} lần thứ {k}",
            "Đưa sách về {n} điểm trường vùng cao {place}",
        ),
        leads=(
            "lượng khách đến khu du lịch Mẫu Sơn tăng mạnh, nhất là vào các ngày cuối tuần.",
            "{huyen} tổ chức ngày hội văn hóa các dân tộc với nhiều hoạt động đặc sắc.",
            "{huyen} đã triển khai nhiều giải pháp bảo tồn, phát huy nghệ thuật hát then, đàn "
            "tính.",
            "các lớp truyền dạy hát then, đàn tính cho thanh thiếu niên đã được mở tại {huyen}.",
            "{xa} đang từng bước phát triển du lịch cộng đồng gắn với bảo tồn bản sắc văn hóa.",
            "{huyen} tổ chức liên hoan văn nghệ quần chúng với sự tham gia của nhiều đội văn "
            "nghệ cơ sở.",
            "Thư viện tỉnh phối hợp với {huyen} trao tặng tủ sách cho các điểm trường vùng cao.",
        ),
        sentences=(
            "Với khí hậu mát mẻ quanh năm, Mẫu Sơn là điểm đến hấp dẫn du khách trong và ngoài "
            "tỉnh.",
            "Nhiều homestay được cải tạo từ nhà sàn, vừa giữ nét kiến trúc xưa vừa đáp ứng nhu "
            "cầu lưu trú.",
            "Hát then, đàn tính gắn bó với đời sống tinh thần của đồng bào Tày, Nùng qua nhiều "
            "thế hệ.",
            "Các lớp truyền dạy được duy trì vào buổi tối hằng tuần tại nhà văn hóa thôn.",
            "Chương trình có sự tham gia của {n} đội văn nghệ đến từ các xã, thị trấn.",
            "Các tiết mục mang đậm bản sắc dân tộc nhận được sự cổ vũ nhiệt tình của khán giả.",
            "Phần hội diễn ra sôi nổi với các trò chơi dân gian như tung còn, kéo co, đẩy gậy.",
            "Ẩm thực Xứ Lạng với vịt quay, phở chua, khâu nhục luôn là điểm nhấn với du khách.",
            "Mỗi tủ sách gồm khoảng {n2} cuốn thuộc nhiều lĩnh vực, phù hợp với lứa tuổi học sinh.",
            "Doanh thu từ du lịch ước đạt {ty} tỷ đồng, góp phần tăng thu nhập cho người dân.",
        ),
        captions=(
            "Du khách tham quan khu du lịch Mẫu Sơn",
            "Tiết mục hát then tại chương trình",
            "Trò chơi tung còn thu hút đông đảo người dân",
            "Một homestay tại {xa}",
        ),
    ),
    "quoc-phong-an-ninh": Topic(
        headlines=(
            "Lực lượng vũ trang {place} ra quân huấn luyện năm {nam}",
            "Bộ đội Biên phòng tỉnh bắt giữ {n} vụ vận chuyển hàng lậu qua biên giới",
            "Diễn tập khu vực phòng thủ {place} năm {nam}",
            "Công an {place} triệt phá đường dây đánh bạc, bắt giữ {n} đối tượng",
            "Bộ đội Biên phòng giúp {n} hộ dân {xa} làm nhà ở",
            "{place} giao {n} tân binh lên đường nhập ngũ",
            "Ra mắt mô hình “Camera an ninh” với {n} mắt camera tại {xa}",
        ),
        leads=(
            "Ban Chỉ huy Quân sự {huyen} tổ chức lễ ra quân huấn luyện, triển khai nhiệm vụ sẵn "
            "sàng chiến đấu.",
            "Bộ đội Biên phòng tỉnh đã phát hiện, bắt giữ nhiều vụ vận chuyển hàng hóa nhập lậu "
            "qua biên giới.",
            "{huyen} tổ chức diễn tập khu vực phòng thủ, bảo đảm an toàn tuyệt đối về người và "
            "vũ khí, trang bị.",
            "Công an {huyen} đã triệt phá thành công một đường dây đánh bạc quy mô lớn.",
            "cán bộ, chiến sĩ Bộ đội Biên phòng đã giúp đỡ các hộ dân {xa} xây dựng nhà ở.",
            "{huyen} tổ chức lễ giao nhận quân, tiễn thanh niên lên đường thực hiện nghĩa vụ "
            "quân sự.",
            "{xa} đã ra mắt mô hình “Camera an ninh”, góp phần bảo đảm an ninh trật tự ở cơ sở.",
        ),
        sentences=(
            "Năm nay, dân quân tự vệ được huấn luyện theo chương trình mới, sát với thực tế.",
            "Qua diễn tập, năng lực lãnh đạo, chỉ đạo của cấp ủy, chính quyền được nâng lên.",
            "Tang vật thu giữ gồm hàng nghìn sản phẩm quần áo, đồ điện tử không rõ nguồn gốc.",
            "Lực lượng biên phòng tăng cường tuần tra, kiểm soát các đường mòn, lối mở dọc biên "
            "giới.",
            "Cơ quan điều tra đang mở rộng vụ án, xử lý các đối tượng theo quy định của pháp luật.",
            "Các tân binh đều có sức khỏe tốt, nhiều thanh niên tình nguyện nhập ngũ.",
            "Camera được lắp tại các ngã ba, ngã tư trọng điểm, kết nối với điện thoại của công "
            "an xã.",
            "Mô hình do nhân dân đóng góp kinh phí, thể hiện tinh thần chung tay giữ gìn an ninh "
            "ở cơ sở.",
            "Từ đầu năm đến nay, tội phạm về trật tự xã hội trên địa bàn giảm {tang}% so với "
            "cùng kỳ.",
            "Cán bộ, chiến sĩ đồn biên phòng đã giúp người dân hàng trăm ngày công san nền, vận "
            "chuyển vật liệu.",
        ),
        captions=(
            "Lực lượng vũ trang {huyen} tại lễ ra quân huấn luyện",
            "Cán bộ Đồn Biên phòng tuần tra trên tuyến biên giới",
            "Tân binh {huyen} lên đường nhập ngũ",
            "Tang vật vụ án bị thu giữ",
        ),
    ),
    "the-thao": Topic(
        headlines=(
            "Khai mạc Giải bóng đá thanh niên {place} mở rộng năm {nam}",
            "Giải việt dã leo núi Mẫu Sơn thu hút {n} vận động viên",
            "{place} tổ chức Đại hội Thể dục thể thao lần thứ {k}",
            "Vận động viên Lạng Sơn giành {k} huy chương tại giải vật dân tộc toàn quốc",
            "Hơn {n} câu lạc bộ thể thao quần chúng hoạt động hiệu quả ở {place}",
            "Giải bóng chuyền hơi người cao tuổi {place} quy tụ {n} đội",
            "Giải cờ tướng {place} năm {nam} có {n} kỳ thủ tham gia",
        ),
        leads=(
            "Trung tâm Văn hóa, Thể thao và Truyền thông {huyen} khai mạc giải bóng đá thanh "
            "niên mở rộng.",
            "Sở Văn hóa, Thể thao và Du lịch tổ chức giải việt dã leo núi tại khu du lịch Mẫu Sơn.",
            "{huyen} tổ chức Đại hội Thể dục thể thao với nhiều môn thi đấu hấp dẫn.",
            "đoàn vận động viên vật của tỉnh đã trở về từ giải vô địch vật dân tộc toàn quốc với "
            "thành tích đáng khích lệ.",
            "phong trào thể dục thể thao quần chúng ở {huyen} tiếp tục phát triển mạnh.",
            "Hội Người cao tuổi {huyen} tổ chức giải bóng chuyền hơi dành cho hội viên.",
            "{huyen} tổ chức giải cờ tướng, thu hút đông đảo kỳ thủ tham gia.",
        ),
        sentences=(
            "Giải có {n} đội đến từ các xã, thị trấn và cơ quan, đơn vị trên địa bàn.",
            "Các trận đấu diễn ra theo thể thức vòng tròn tính điểm để chọn đội vào chung kết.",
            "Ban tổ chức đã trao cúp, huy chương cho các tập thể, cá nhân đạt thành tích cao.",
            "Đây là dịp để vận động viên giao lưu, học hỏi kinh nghiệm, nâng cao trình độ.",
            "Nhiều vận động viên từng đạt thành tích tại các giải cấp tỉnh, cấp khu vực.",
            "Đường chạy có độ dốc lớn, nhiều đoạn quanh co, đòi hỏi thể lực tốt.",
            "Tỷ lệ người dân tập luyện thể dục thể thao thường xuyên trên địa bàn đạt {pct}%.",
            "Nhiều xã đã xây dựng sân bóng đá mini, sân bóng chuyền phục vụ người dân tập luyện.",
            "Giải đấu được tổ chức nhằm chào mừng các ngày lễ lớn của đất nước và của tỉnh.",
            "Các kỳ thủ mang đến những ván cờ hấp dẫn, thể hiện tư duy chiến thuật sắc sảo.",
        ),
        captions=(
            "Pha tranh bóng trong trận khai mạc",
            "Các vận động viên tranh tài tại giải",
            "Ban tổ chức trao giải cho các vận động viên đạt thành tích cao",
            "Người cao tuổi {xa} thi đấu bóng chuyền hơi",
        ),
    ),
}
