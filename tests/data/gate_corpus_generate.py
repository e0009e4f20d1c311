"""Generate ``gate_titles_generated.tsv``: labelled agenda titles for tuning the G2 screening.

Run ``python tests/data/gate_corpus_generate.py`` from the repository root; the output is
deterministic (a fixed seed). Every title here belongs to the *tuning* split: the held-apart
split is the hash-chosen half of the hand-written ``gate_titles_written.tsv`` (see
``tests/policy/gate_corpus.py``), never generated from these templates.

Titles are built from templates per topic (Vietnamese paraphrases, English, mixed), then varied:
office abbreviations, missing diacritics, one typo, upper case, several topics in one title;
ordinary titles and tricky ordinary ones (study of a procedure or of Hồ Chí Minh's works,
everyday words shared with a topic) come from templates of their own.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent / "gate_titles_generated.tsv"
WRITTEN = Path(__file__).resolve().parent / "gate_titles_written.tsv"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Phan",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Đức", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hải",
    "Hương",
    "Khoa",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Tùng",
    "Vy",
    "Yến",
]
YEARS = ("2025", "2026", "năm 2025", "năm 2026", "quý I", "quý III", "6 tháng đầu năm", "cuối năm")
EN_YEARS = ("2025", "2026", "for 2026", "this year", "for the first quarter", "at year end")


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def given(rng: random.Random) -> str:
    return rng.choice(GIVEN)


def vi_person(rng: random.Random) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"đồng chí {person(rng)}"
    if form == 1:
        return f"đ/c {given(rng)}"
    if form == 2:
        return f"đảng viên {person(rng)}"
    if form == 3:
        return f"đồng chí {given(rng)}"
    return person(rng)


def en_person(rng: random.Random) -> str:
    return rng.choice(("comrade ", "Mr ", "Ms ", "member ")) + strip(person(rng))


def strip(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text.replace("đ", "d").replace("Đ", "D"))


# Per topic: Vietnamese templates, English templates. {p} a person, {y} a period.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "T1": (
        (
            "Bổ nhiệm {p} làm trưởng phòng",
            "Điều động {p} sang chi nhánh mới",
            "Luân chuyển cán bộ lãnh đạo {y}",
            "Ý kiến của chi bộ về nhân sự phó giám đốc",
            "Quy hoạch cán bộ nguồn {y}",
            "Giới thiệu {p} để cấp trên đề bạt",
            "Kiện toàn chi ủy sau khi {p} nghỉ hưu",
            "Bổ sung chi ủy viên {y}",
            "Miễn nhiệm chức vụ đối với {p}",
            "Chuyển sinh hoạt đảng cho {p}",
            "Phương án nhân sự của phòng kế hoạch",
            "Cử {p} giữ chức tổ trưởng tổ đảng",
            "Công tác tổ chức, cán bộ {y}",
            "Đề xuất điều chuyển {p} về văn phòng",
            "Sắp xếp lại bộ máy và bố trí cán bộ",
        ),
        (
            "Appointment of {p} as head of department",
            "Transfer of {p} to the new branch",
            "Personnel changes in the committee {y}",
            "Nomination of {p} for deputy secretary",
            "Cadre planning {y}",
            "Proposal to appoint {p} as group leader",
        ),
    ),
    "T2": (
        (
            "Xét kết nạp {p} vào Đảng",
            "Đề nghị kết nạp quần chúng {q}",
            "Hồ sơ xin vào Đảng của quần chúng {q}",
            "Chi bộ xem xét hồ sơ quần chúng ưu tú {q}",
            "Tổ chức lễ kết nạp đảng viên mới {y}",
            "Biểu quyết kết nạp quần chúng {q}",
            "Nhận xét quần chúng {q} trước khi kết nạp",
            "Xét đơn xin vào Đảng của bạn {g}",
        ),
        (
            "Admission of {p} into the Party",
            "Reviewing the membership application of {p}",
            "Vote on admitting new members {y}",
            "Admitting {p} as a new member",
        ),
    ),
    "T3": (
        (
            "Xét chuyển đảng chính thức cho {p}",
            "Công nhận đảng viên chính thức đối với {p}",
            "{p} hết thời gian dự bị",
            "Nhận xét đảng viên dự bị {q}",
            "Biểu quyết chuyển chính thức cho {p}",
        ),
        (
            "Full membership for {p}",
            "Ending the probation of {p}",
            "Probationary member {q}: full membership",
        ),
    ),
    "T4": (
        (
            "Xóa tên {p} khỏi danh sách đảng viên",
            "Đề nghị xoá tên đảng viên bỏ sinh hoạt",
            "{p} bỏ sinh hoạt 3 tháng, xem xét xóa tên",
            "Xóa tên trong danh sách đối với {p}",
        ),
        (
            "Striking {p} off the party rolls",
            "Removal of {p} from the membership list",
        ),
    ),
    "T5": (
        (
            "Đơn xin ra khỏi Đảng của {p}",
            "{p} xin ra khỏi Đảng",
            "Giải quyết đơn xin ra Đảng của {p}",
            "Nguyện vọng rời Đảng của {p}",
        ),
        (
            "Request of {p} to leave the Party",
            "{p}'s resignation from the Party",
        ),
    ),
    "T6": (
        (
            "Kế hoạch kiểm tra, giám sát {y}",
            "Kiểm tra đảng viên khi có dấu hiệu vi phạm",
            "Giám sát {p} trong thực hiện nhiệm vụ",
            "Báo cáo kết quả kiểm tra tài chính đảng {y}",
            "Chương trình kiểm tra và giám sát {y}",
            "Kết luận của đoàn kiểm tra về chi bộ",
            "Giám sát thường xuyên đảng viên {y}",
        ),
        (
            "Inspection and supervision plan {y}",
            "Supervision of {p}",
            "Inspection findings on the cell {y}",
        ),
    ),
    "T7": (
        (
            "Xem xét kỷ luật {p}",
            "Thi hành kỷ luật đối với {p}",
            "Hình thức xử lý đối với {p}",
            "Đề nghị khiển trách {p}",
            "Cảnh cáo {p} vì vi phạm quy định",
            "Xử lý {p} vi phạm Điều lệ Đảng",
            "Xem xét trách nhiệm của {p} trong vụ việc",
            "Kỷ luật đảng viên vi phạm {y}",
            "Khai trừ {p} ra khỏi Đảng",
        ),
        (
            "Disciplinary action against {p}",
            "Handling the case of {p}",
            "Reprimand of {p}",
            "Discipline of party members {y}",
        ),
    ),
    "T8": (
        (
            "Bình xét thi đua, khen thưởng {y}",
            "Đề nghị tặng giấy khen cho {p}",
            "Đề nghị Huy hiệu 30 năm tuổi Đảng cho {p}",
            "Xét danh hiệu đảng viên hoàn thành xuất sắc nhiệm vụ tiêu biểu",
            "Biểu dương {p}",
            "Công tác thi đua khen thưởng {y}",
            "Đề nghị bằng khen cho chi bộ {y}",
        ),
        (
            "Party awards {y}",
            "Commendation of {p}",
            "Emulation and rewards {y}",
        ),
    ),
    "T9": (
        (
            "Rà soát, sàng lọc đảng viên {y}",
            "Đảng viên không còn đủ tư cách đảng viên",
            "Đưa {p} ra khỏi Đảng vì không đủ tư cách",
            "Sàng lọc đảng viên thoái hóa, biến chất",
            "Rà soát đảng viên không đủ tiêu chuẩn {y}",
        ),
        (
            "Screening out members who no longer qualify",
            "Members unfit to remain in the Party {y}",
        ),
    ),
    "T10": (
        (
            "Công tác bảo vệ chính trị nội bộ {y}",
            "Thẩm tra lý lịch của quần chúng {q}",
            "Xác minh lý lịch {p}",
            "Kết luận tiêu chuẩn chính trị của {p}",
            "Xem xét vấn đề chính trị của {p}",
        ),
        (
            "Background check of {p}",
            "Internal political protection {y}",
            "Political background of {p}",
        ),
    ),
    "T11": (
        (
            "Phổ biến tài liệu mật của cấp trên",
            "Nghiên cứu văn bản tối mật về quốc phòng",
            "Quán triệt chỉ thị tuyệt mật {y}",
            "Học tập nghị quyết (mật) của Trung ương",
            "Thông báo thông tin độ mật về dự án",
            "Trao đổi nội dung bí mật nhà nước",
        ),
        (
            "Briefing on the confidential document",
            "Studying the secret directive {y}",
            "Classified report on border security",
        ),
    ),
    "T12": (
        (
            "Bỏ phiếu kín bầu bí thư chi bộ",
            "Lấy phiếu tín nhiệm chi ủy viên {y}",
            "Bầu bổ sung chi ủy viên",
            "Kiểm phiếu bầu cấp ủy",
            "Bầu đại biểu dự đại hội đảng bộ",
            "Giới thiệu người ứng cử chi ủy",
        ),
        (
            "Secret ballot for the secretary",
            "Vote of confidence in {p}",
            "Electing the cell committee {y}",
        ),
    ),
    "T13": (
        (
            "Kiểm điểm tự phê bình và phê bình {y}",
            "Kiểm điểm {p}",
            "Góp ý phê bình {p}",
            "Kiểm điểm tập thể chi ủy {y}",
            "Đánh giá ưu khuyết điểm của đảng viên {y}",
        ),
        (
            "Self-criticism and criticism {y}",
            "Criticism of {p}",
        ),
    ),
    "T14": (
        (
            "Đánh giá, xếp loại chất lượng đảng viên {y}",
            "Xếp loại chi bộ {y}",
            "Mức độ hoàn thành nhiệm vụ của {p}",
            "Phân loại đảng viên {y}",
            "Đánh giá chất lượng tổ chức đảng {y}",
        ),
        (
            "Ranking of members {y}",
            "Evaluation and ranking of the cell {y}",
            "Quality assessment of members {y}",
        ),
    ),
    "T15": (
        (
            "Quyết định chủ trương đầu tư nhà máy mới",
            "Cho ý kiến chủ trương lớn của công ty {y}",
            "Phương án sáp nhập hai đơn vị",
            "Chiến lược phát triển {y}",
            "Thông qua chủ trương tái cơ cấu",
            "Phương án cổ phần hóa công ty",
        ),
        (
            "Major investment policy {y}",
            "Decision on the merger of two units",
            "Restructuring plan {y}",
        ),
    ),
}

# Vietnamese phrase → office abbreviation, applied where it occurs.
ABBREVIATIONS = (
    ("kết nạp Đảng", "KNĐ"),
    ("kết nạp", "KN"),
    ("đảng viên", "ĐV"),
    ("đồng chí", "đ/c"),
    ("quần chúng ưu tú", "QCƯT"),
    ("chuyển đảng chính thức", "chuyển ĐCT"),
    ("kiểm tra, giám sát", "KT, GS"),
    ("kiểm tra và giám sát", "KTGS"),
    ("bảo vệ chính trị nội bộ", "BVCT nội bộ"),
    ("thi đua, khen thưởng", "TĐKT"),
    ("thi đua khen thưởng", "TĐKT"),
    ("Đánh giá, xếp loại", "ĐGXL"),
    ("tự phê bình", "TPB"),
    ("bí mật nhà nước", "BMNN"),
    ("Bỏ phiếu kín", "BPK"),
    ("Xem xét kỷ luật", "Xét KL"),
    ("Thi hành kỷ luật", "Thi hành KL"),
    ("Kiểm điểm", "KĐ"),
    ("Quy hoạch cán bộ", "QH cán bộ"),
    ("cán bộ", "CB"),
)
MIXED = {
    "T1": ("Appointment: {v}", "{v} (personnel)"),
    "T2": ("Admission: {v}", "{v} — new member admission"),
    "T7": ("Disciplinary case: {v}", "{v} (discipline)"),
    "T12": ("Secret ballot: {v}",),
    "T13": ("Self-criticism: {v}",),
    "T14": ("Ranking: {v}",),
}

ORDINARY = (
    "Sinh hoạt chi bộ định kỳ tháng {m}",
    "Triển khai nhiệm vụ chuyên môn tháng {m}",
    "Báo cáo kết quả sản xuất kinh doanh tháng {m}",
    "Thu đảng phí tháng {m}",
    "Kế hoạch công tác dân vận tháng {m}",
    "Tổ chức hoạt động kỷ niệm ngày {d}",
    "Phân công đảng viên báo cáo nhiệm vụ được giao tháng {m}",
    "Thông báo thời sự tháng {m}",
    "Kế hoạch tổ chức Tết Trung thu cho thiếu nhi",
    "Vận động ủng hộ quỹ vì người nghèo tháng {m}",
    "Tình hình an ninh trật tự khu dân cư tháng {m}",
    "Chuẩn bị sinh hoạt chuyên đề quý {q}",
    "Kết quả thực hiện nghị quyết tháng {m}",
    "Kế hoạch chuyển đổi số tháng {m}",
    "Phòng chống thiên tai mùa mưa bão",
    "Dự toán kinh phí hoạt động tháng {m}",
    "Monthly meeting of month {m}: tasks and reports",
    "Work plan for month {m}",
    "Report on production results for month {m}",
    "Organising the community clean-up day",
    "Trien khai nhiem vu thang {m}",
    "Bao cao tinh hinh thuc hien ke hoach thang {m}",
    "Tổ chức giải chạy bộ vì sức khỏe",
    "Hỗ trợ đảng viên có hoàn cảnh khó khăn tháng {m}",
    "Thăm hỏi gia đình chính sách dịp {d}",
)
DAYS = ("3/2", "8/3", "30/4", "19/5", "27/7", "2/9", "20/10", "20/11", "22/12")
TRICKY = (
    "Học tập Quy định {n}-QĐ/TW về kỷ luật đảng viên",
    "Quán triệt Hướng dẫn {n}-HD/BTCTW về kết nạp đảng viên",
    "Tìm hiểu quy trình xét chuyển đảng chính thức",
    "Học tập thủ tục kết nạp đảng viên mới",
    "Nghiên cứu Điều lệ Đảng về kỷ luật, xóa tên đảng viên",
    "Quán triệt Quy định {n}-QĐ/TW về kiểm tra, giám sát",
    "Tập huấn nghiệp vụ công tác kiểm tra đảng {y}",
    "Học tập tư tưởng Hồ Chí Minh về tự phê bình và phê bình",
    "Học tập tác phẩm của Chủ tịch Hồ Chí Minh về cán bộ và công tác cán bộ",
    "Tìm hiểu Hướng dẫn đánh giá, xếp loại chất lượng đảng viên {y}",
    "Phổ biến Luật Bảo vệ bí mật nhà nước",
    "Chi quỹ khen thưởng công đoàn {y}",
    "Quyết toán quỹ khen thưởng, phúc lợi {y}",
    "Lịch bầu cử đại biểu Quốc hội khóa XVI",
    "Tuyên truyền ngày bầu cử toàn quốc",
    "Rà soát danh sách đảng phí {y}",
    "Cập nhật danh sách đóng đảng phí tháng {m}",
    "Kiểm tra thiết bị họp trực tuyến trước kỳ sinh hoạt",
    "Kiểm tra sức khỏe định kỳ {y}",
    "Giải thi đấu thể thao chào mừng ngày {d}",
    "Chấn chỉnh kỷ luật lao động trong cơ quan",
    "Tăng cường kỷ luật, kỷ cương hành chính",
    "Bầu ban chấp hành công đoàn cơ sở",
    "Xếp lịch sinh hoạt chi bộ {y}",
    "Bảo mật thông tin trên mạng xã hội",
    "Quy hoạch sử dụng đất của xã {y}",
    "Tuyển dụng nhân viên mới {y}",
    "Studying the admission procedure for new members",
    "Training on the rules for party discipline",
    "Studying Ho Chi Minh's works on criticism",
    "Union reward fund {y}",
    "National election calendar {y}",
    "Party fee list {y}",
    "Election of the trade union committee",
    "Giới thiệu sách về công tác xây dựng Đảng",
    "Học tập Nghị quyết Trung ương {n} về công tác cán bộ",
)


def typo(rng: random.Random, text: str) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:j] + word[j + 1 :]
    elif kind == 1:
        word = word[:j] + word[j] + word[j:]
    else:
        word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def abbreviate(text: str) -> str | None:
    for long, short in ABBREVIATIONS:
        if long in text:
            return text.replace(long, short)
        if long.capitalize() in text:
            return text.replace(long.capitalize(), short)
    return None


def fill(rng: random.Random, template: str, english: bool) -> str:
    return template.format(
        p=en_person(rng) if english else vi_person(rng),
        q=person(rng),
        g=given(rng),
        y=rng.choice(EN_YEARS if english else YEARS),
        m=rng.randint(1, 12),
        d=rng.choice(DAYS),
        n=rng.choice(("22", "69", "124", "294", "12", "08")),
    )


def generate() -> list[tuple[str, str, str]]:
    rng = random.Random(18)
    rows: list[tuple[str, str, str]] = []
    for topic, (vi, en) in TOPICS.items():
        for _ in range(6):
            for template in vi:
                base = fill(rng, template, False)
                rows.append((topic, "paraphrase", base))
                variant = rng.randrange(4)
                if variant == 0:
                    rows.append((topic, "typo", strip(base)))
                elif variant == 1:
                    rows.append((topic, "typo", typo(rng, base)))
                elif variant == 2 and (short := abbreviate(base)):
                    rows.append((topic, "abbreviation", short))
                else:
                    rows.append((topic, "paraphrase", base.upper()))
        for _ in range(5):
            for template in en:
                base = fill(rng, template, True)
                rows.append((topic, "english", base))
                if rng.random() < 0.3:
                    rows.append((topic, "typo", typo(rng, base)))
        for template in MIXED.get(topic, ()):
            for _ in range(3):
                rows.append((topic, "mixed", template.format(v=fill(rng, rng.choice(vi), False))))
    topics = list(TOPICS)
    for _ in range(160):
        a, b = rng.sample(topics, 2)
        joiner = rng.choice((" và ", "; ", ", ", " - "))
        first = fill(rng, rng.choice(TOPICS[a][0]), False)
        second = fill(rng, rng.choice(TOPICS[b][0]), False)
        label = ",".join(sorted((a, b), key=lambda t: int(t[1:])))
        rows.append((label, "multi", first + joiner + second[0].lower() + second[1:]))
    for _ in range(14):
        for template in ORDINARY:
            rows.append(("ordinary", "ordinary", fill(rng, template, False)))
    for _ in range(6):
        for template in TRICKY:
            rows.append(("tricky", "tricky", fill(rng, template, False)))
    with WRITTEN.open(encoding="utf-8", newline="") as handle:
        written = {r["title"] for r in csv.DictReader(handle, delimiter="\t")}
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[2] not in seen and row[2] not in written:
            seen.add(row[2])
            unique.append(row)
    return unique


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(("topics", "kind", "title"))
        writer.writerows(rows)
    print(f"{len(rows)} titles written to {OUT}")


if __name__ == "__main__":
    main()
