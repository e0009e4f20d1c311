"""Translation table part: rules. Keys are 'rules.*' unless shared; values are (vi, en).

Each explanation ends with its source clause and rule ids, so a chair can look it up.
"""

from typing import Final

_HD = "03-HD/TW"

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # E4: rule sets
    "rules.e4.no_ruleset": (
        "Ngày {date} không có văn bản nào cho phép thí điểm sinh hoạt trực tuyến hoặc theo tổ đảng"
        f" ({_HD} hết hiệu lực ngày 30/6/2025; 50-CT/TW từ ngày 23/7/2025). Chỉ được sinh hoạt"
        " trực tiếp (E4).",
        "On {date} no rule set allows online or party-group meetings (03-HD/TW ended on 30 Jun"
        " 2025; 50-CT/TW applies from 23 Jul 2025). Only in-person meetings are possible (E4).",
    ),
    "rules.e4.ruleset": (
        "Ngày {date} áp dụng {source} (E4).",
        "On {date} the rules of {source} apply (E4).",
    ),
    # E1
    "rules.e1.level": (
        f"Chỉ đảng bộ cơ sở hoặc chi bộ được thí điểm sinh hoạt trực tuyến ({_HD} mục II.1.1, E1).",
        "Only a grassroots party committee or a cell may pilot online meetings"
        " (03-HD/TW §II.1.1, E1).",
    ),
    "rules.e1.eligible": (
        "Đủ điều kiện sinh hoạt trực tuyến: {unable}/{counted} đảng viên (không tính đảng viên"
        " miễn sinh hoạt, bị đình chỉ sinh hoạt) không thể sinh hoạt trực tiếp, trên một nửa"
        f" ({_HD} mục II.1.1, E1).",
        "Eligible for online meetings: {unable} of {counted} members (not counting exempted or"
        " suspended members) cannot meet in person, more than half (03-HD/TW §II.1.1, E1).",
    ),
    "rules.e1.not_eligible": (
        "Không đủ điều kiện sinh hoạt trực tuyến: chỉ {unable}/{counted} đảng viên (không tính"
        " đảng viên miễn sinh hoạt, bị đình chỉ sinh hoạt) không thể sinh hoạt trực tiếp, chưa"
        f" đến trên một nửa ({_HD} mục II.1.1, E1).",
        "Not eligible for online meetings: only {unable} of {counted} members (not counting"
        " exempted or suspended members) cannot meet in person, not more than half"
        " (03-HD/TW §II.1.1, E1).",
    ),
    # E2
    "rules.e2.level": (
        f"Chỉ chi bộ được thí điểm sinh hoạt theo tổ đảng ({_HD} mục II.1.2, E2).",
        "Only a cell may pilot meetings by party groups (03-HD/TW §II.1.2, E2).",
    ),
    "rules.e2.too_few": (
        "Không được sinh hoạt theo tổ đảng: chi bộ có {count} đảng viên, cần từ {minimum} đảng"
        f" viên trở lên ({_HD} mục II.1.2, E2).",
        "No party-group meetings: the cell has {count} members and needs at least {minimum}"
        " (03-HD/TW §II.1.2, E2).",
    ),
    "rules.e2.no_groups": (
        "Không được sinh hoạt theo tổ đảng: chi bộ có {count} đảng viên nhưng chưa thành lập tổ"
        f" đảng ({_HD} mục II.1.2, E2).",
        "No party-group meetings: the cell has {count} members but has not set up party groups"
        " (03-HD/TW §II.1.2, E2).",
    ),
    "rules.e2.eligible": (
        "Đủ điều kiện sinh hoạt theo tổ đảng: {count} đảng viên (từ {minimum} trở lên),"
        f" {{groups}} tổ đảng ({_HD} mục II.1.2, E2).",
        "Eligible for party-group meetings: {count} members (at least {minimum}), {groups}"
        " party groups (03-HD/TW §II.1.2, E2).",
    ),
    # E3
    "rules.scope.online": ("sinh hoạt trực tuyến", "online meetings"),
    "rules.scope.group": ("sinh hoạt theo tổ đảng", "party-group meetings"),
    "rules.e3.approved": (
        "Có quyết định số {number} ngày {issued} của {issuer} cho phép thí điểm"
        f" ({_HD} mục III.1, E3).",
        "Approved by decision no. {number} of {issued} by {issuer} (03-HD/TW §III.1, E3).",
    ),
    "rules.e3.missing": (
        "Chưa có quyết định còn hiệu lực ngày {date} của cấp ủy có thẩm quyền cho phép"
        f" {{scope_vi}} ({_HD} mục III.1, E3).",
        "No decision of the competent committee valid on {date} approves {scope_en}"
        " (03-HD/TW §III.1, E3).",
    ),
    # dates that must agree (policy/dates.py)
    "rules.dates.consistent": ("Các ngày khớp nhau.", "The dates agree."),
    "rules.dates.e3.before_issued": (
        "Quyết định số {number}: ngày có hiệu lực {start} trước ngày ký {issued}; quyết định"
        f" chỉ có hiệu lực từ ngày ký trở đi ({_HD} mục III.1, E3).",
        "Decision no. {number}: it takes effect on {start}, before it was signed on {issued};"
        " a decision can only take effect from its signing (03-HD/TW §III.1, E3).",
    ),
    "rules.dates.e3.ends_first": (
        "Quyết định số {number}: ngày hết hiệu lực {end} trước ngày có hiệu lực {start}"
        f" ({_HD} mục III.1, E3).",
        "Decision no. {number}: it ends on {end}, before it takes effect on {start}"
        " (03-HD/TW §III.1, E3).",
    ),
    "rules.dates.e1b.ends_first": (
        "Hoàn cảnh đặc biệt: ngày kết thúc {end} trước ngày bắt đầu {start}"
        f" ({_HD} mục II.1.1.b, E1b).",
        "Special circumstance: it ends on {end}, before it starts on {start}"
        " (03-HD/TW §II.1.1.b, E1b).",
    ),
    "rules.dates.e1b.meeting_outside": (
        "Cuộc họp ngày {on} không nằm trong thời gian của hoàn cảnh đặc biệt ({start} – {end_vi})"
        f" ({_HD} mục II.1.1.b, E1b).",
        "A meeting on {on} is outside the special circumstance ({start} – {end_en})"
        " (03-HD/TW §II.1.1.b, E1b).",
    ),
    "rules.dates.stored": (
        "Dữ liệu đã lưu có ngày mâu thuẫn nên không được tính, cần ghi lại cho đúng: {detail_vi}",
        "Stored data with contradicting dates is not counted and must be recorded again"
        " correctly: {detail_en}",
    ),
    "rules.e3.competent": (
        f"{{issuer}} có thẩm quyền quyết định thí điểm ({_HD} mục III.1, E3).",
        "{issuer} may decide the pilot (03-HD/TW §III.1, E3).",
    ),
    "rules.e3.not_competent": (
        "Quyết định của {issuer} không có giá trị: việc lựa chọn thí điểm ở trong nước do tổ chức"
        " đảng trực thuộc tỉnh ủy, thành ủy, đảng ủy trực thuộc Trung ương (cấp ủy cấp trên) quyết"
        f" định ({_HD} mục III.1, E3).",
        "The decision by {issuer} is not valid: at home the pilot is decided by the party"
        " organisation under the provincial committee (the superior committee)"
        " (03-HD/TW §III.1, E3).",
    ),
    "rules.e3.not_competent_abroad": (
        "Quyết định của {issuer} không có giá trị: việc lựa chọn thí điểm ở ngoài nước do Đảng ủy"
        f" Bộ Ngoại giao quyết định ({_HD} mục III.1, E3).",
        "The decision by {issuer} is not valid: abroad the pilot is decided by the party committee"
        " of the Ministry of Foreign Affairs (03-HD/TW §III.1, E3).",
    ),
    "rules.duties.no_ruleset": (
        "Ngày {date} không có văn bản thí điểm nào có hiệu lực; nghĩa vụ sinh hoạt được tính theo"
        " Điều lệ Đảng và chế độ sinh hoạt của chi bộ (E4).",
        "On {date} no pilot rule set is in force; duties follow the Party Statute and the cell's"
        " meeting regime (E4).",
    ),
    # P1–P5
    "rules.p1.ready": (
        f"Hạ tầng công nghệ thông tin đã được xác nhận đủ điều kiện ({_HD} mục II.2, P1).",
        "IT infrastructure recorded as adequate (03-HD/TW §II.2, P1).",
    ),
    "rules.p1.not_ready": (
        "Không được sinh hoạt trực tuyến: hạ tầng công nghệ thông tin chưa được xác nhận đủ điều"
        f" kiện ({_HD} mục II.2, P1).",
        "No online meetings: IT infrastructure not recorded as adequate (03-HD/TW §II.2, P1).",
    ),
    "rules.p2.hybrid": (
        "Không được họp hoàn toàn trực tuyến: {able} đảng viên có thể sinh hoạt trực tiếp, phải"
        f" họp kết hợp trực tiếp và trực tuyến ({_HD} mục II.2, P2).",
        "Not fully online: {able} members can meet in person, so the meeting must be hybrid"
        " (03-HD/TW §II.2, P2).",
    ),
    "rules.p2.online": (
        "Không đảng viên nào có thể tập trung tại một địa điểm: được họp hoàn toàn trực tuyến"
        f" ({_HD} mục II.2, P2).",
        "No member can gather in one place: the meeting may be fully online (03-HD/TW §II.2, P2).",
    ),
    "rules.p3.circumstance": (
        "Sinh hoạt trực tuyến do hoàn cảnh đặc biệt: không tính vào giới hạn số lần trong năm"
        f" ({_HD} mục II.2, P3, E1b).",
        "Online because of a special circumstance: not counted toward the yearly cap"
        " (03-HD/TW §II.2, P3, E1b).",
    ),
    "rules.p3.reached": (
        "Không được sinh hoạt trực tuyến: năm {year} đã sinh hoạt trực tuyến {held} lần, tối đa"
        f" {{cap}} lần trong năm ({_HD} mục II.2, P3).",
        "No more online meetings: {held} online meetings were held in {year}, at most {cap} a"
        " year (03-HD/TW §II.2, P3).",
    ),
    "rules.p3.within": (
        "Năm {year} đã sinh hoạt trực tuyến {held}/{cap} lần (P3).",
        "{held} of {cap} online meetings used in {year} (P3).",
    ),
    "rules.p4.none": (
        "Không có hoàn cảnh đặc biệt vừa kết thúc đòi hỏi sinh hoạt trực tiếp (P4).",
        "No special circumstance has just ended that requires an in-person meeting (P4).",
    ),
    "rules.p4.in_person": (
        "Phải sinh hoạt trực tiếp: hoàn cảnh đặc biệt đã kết thúc ngày {end}, kỳ sinh hoạt tiếp"
        f" theo phải là trực tiếp ({_HD} mục II.2, P4).",
        "Must meet in person: the special circumstance ended on {end}, so the next meeting is in"
        " person (03-HD/TW §II.2, P4).",
    ),
    "rules.p5.reached": (
        "Không được sinh hoạt theo tổ đảng: năm {year} đã sinh hoạt theo tổ đảng {held} lần,"
        f" tối đa {{cap}} lần trong năm ({_HD} mục II.2, P5).",
        "No more party-group meetings: {held} were held in {year}, at most {cap} a year"
        " (03-HD/TW §II.2, P5).",
    ),
    "rules.p5.within": (
        "Năm {year} đã sinh hoạt theo tổ đảng {held}/{cap} lần (P5).",
        "{held} of {cap} party-group meetings used in {year} (P5).",
    ),
    # Meeting modes
    "rules.mode_name.in_person": ("trực tiếp", "in person"),
    "rules.mode_name.hybrid": ("kết hợp trực tiếp và trực tuyến", "hybrid"),
    "rules.mode_name.online": ("trực tuyến", "online"),
    "rules.mode_name.group": ("theo tổ đảng", "by party groups"),
    "rules.mode.in_person_ok": (
        "Sinh hoạt trực tiếp: không cần điều kiện thí điểm (P2).",
        "In-person meeting: no pilot conditions apply (P2).",
    ),
    "rules.mode.eligible": (
        "Được sinh hoạt {mode_vi} theo {source} ({ids}).",
        "The meeting may be held {mode_en} under {source} ({ids}).",
    ),
    # Agenda gate
    "rules.topic.T1": ("công tác tổ chức và cán bộ", "organisation and personnel work"),
    "rules.topic.T2": ("xét kết nạp đảng viên", "admission of new members"),
    "rules.topic.T3": ("chuyển đảng chính thức", "making a probationary member a full member"),
    "rules.topic.T4": ("xoá tên đảng viên", "striking a member from the rolls"),
    "rules.topic.T5": ("đảng viên xin ra khỏi Đảng", "a member's request to leave the Party"),
    "rules.topic.T6": ("kiểm tra, giám sát", "inspection and supervision"),
    "rules.topic.T7": ("thi hành kỷ luật đảng", "party discipline"),
    "rules.topic.T8": ("thi đua, khen thưởng", "emulation and rewards"),
    "rules.topic.T9": (
        "rà soát, sàng lọc đảng viên không còn đủ tư cách",
        "screening out members no longer qualified",
    ),
    "rules.topic.T10": ("bảo vệ chính trị nội bộ", "internal political protection"),
    "rules.topic.T11": ("bí mật của Đảng, Nhà nước", "party and state secrets"),
    "rules.topic.T12": (
        "nội dung liên quan đến bỏ phiếu kín",
        "anything involving a secret ballot",
    ),
    "rules.topic.T13": (
        "kiểm điểm tự phê bình và phê bình",
        "self-criticism and criticism reviews",
    ),
    "rules.topic.T14": (
        "đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên",
        "quality evaluation and ranking",
    ),
    "rules.topic.T15": (
        "quyết định chủ trương lớn, quan trọng",
        "deciding major, important policies",
    ),
    "rules.gate.in_person": (
        "Sinh hoạt trực tiếp toàn chi bộ: được thảo luận mọi nội dung (G1).",
        "In-person meeting of the whole cell: every topic may be discussed (G1).",
    ),
    "rules.gate.no_ruleset": (
        "Không được thảo luận trong cuộc họp {mode_vi}: ngày {date} không có văn bản nào cho phép"
        " thí điểm (E4, G1).",
        "Not allowed in this meeting ({mode_en}): on {date} no rule set allows the pilot (E4, G1).",
    ),
    "rules.gate.blocked": (
        "Không được thảo luận trong cuộc họp {mode_vi}: nội dung {topic_vi}"
        f" ({_HD} mục II.3.2, {{ids}}). Chuyển sang kỳ sinh hoạt trực tiếp toàn chi bộ.",
        "Not allowed in this meeting ({mode_en}): {topic_en} (03-HD/TW §II.3.2, {ids})."
        " Move it to the next in-person meeting of the whole cell.",
    ),
    "rules.gate.allowed": (
        "Không phát hiện nội dung thuộc diện không sinh hoạt trực tuyến (G2).",
        "No topic barred from online meetings was found (G2).",
    ),
    "rules.gate.study": (
        "Học tập, quán triệt văn bản có nhắc đến nội dung hạn chế, không phải xem xét vụ việc:"
        " được thảo luận (G2).",
        "Studies a document that mentions a restricted topic without deciding a case: allowed"
        " (G2).",
    ),
    "rules.gate.suspected": (
        f"Nghi là nội dung {{topic_vi}} (khớp {{words}}) ({_HD} mục II.3.2, {{ids}}). Chủ trì phải"
        " phân loại lại hoặc xác nhận bằng văn bản nêu lý do.",
        "Looks like {topic_en} (matched {words}) (03-HD/TW §II.3.2, {ids}). The chair must"
        " reclassify the item or confirm it with a written reason.",
    ),
    "rules.gate.empty_title": (
        "Dòng {line}: không có tiêu đề để kiểm tra (G2).",
        "Line {line}: no title to check (G2).",
    ),
    "rules.gate.confirmed": (
        "{by} đã xác nhận không thuộc nội dung hạn chế: {reason} ({ids}, G2).",
        "{by} confirmed it is not a restricted topic: {reason} ({ids}, G2).",
    ),
    "rules.g3.ballot_in_person": (
        "Được bỏ phiếu kín trong cuộc họp trực tiếp toàn chi bộ (G3, T12).",
        "A secret ballot may be held in an in-person meeting of the whole cell (G3, T12).",
    ),
    "rules.g3.ballot_blocked": (
        "Không được bỏ phiếu kín trong cuộc họp {mode_vi}; chỉ bỏ phiếu kín khi sinh hoạt trực"
        f" tiếp ({_HD} mục II.3.2, G3, T12).",
        "No secret ballot in this meeting ({mode_en}); only in person (03-HD/TW §II.3.2, G3, T12).",
    ),
    # Attendance, quorum and votes
    "rules.a3.quorate": (
        "Đủ số lượng: {present}/{counted} đảng viên chính thức được tính có mặt, trên một nửa"
        " (A2, A3).",
        "Quorate: {present} of {counted} counted full members present, more than half (A2, A3).",
    ),
    "rules.a3.not_quorate": (
        "Không đủ số lượng: {present}/{counted} đảng viên chính thức được tính có mặt, không quá"
        " một nửa. Được thảo luận nhưng biểu quyết không có giá trị (A2, A3).",
        "Not quorate: {present} of {counted} counted full members present, not more than half."
        " The meeting may discuss, but its votes are not valid (A2, A3).",
    ),
    "rules.a3.vote_not_valid": (
        "Biểu quyết không có giá trị: chỉ {present}/{counted} đảng viên chính thức được tính có"
        " mặt ({approvals} tán thành) (Điều lệ Điều 10.5, A3).",
        "Vote not valid: only {present} of {counted} counted full members present ({approvals}"
        " in favour) (Party Statute Art. 10.5, A3).",
    ),
    "rules.a3.passed": (
        "Thông qua: {approvals}/{counted} đảng viên chính thức được tính tán thành, trên một nửa"
        " (Điều lệ Điều 10.5, A3, A4).",
        "Passed: {approvals} of {counted} counted full members in favour, more than half"
        " (Party Statute Art. 10.5, A3, A4).",
    ),
    "rules.a3.rejected": (
        "Không thông qua: {approvals}/{counted} đảng viên chính thức được tính tán thành, không"
        " quá một nửa số đảng viên chính thức được tính (không phải số có mặt)"
        " (Điều lệ Điều 10.5, A3, A4).",
        "Not passed: {approvals} of {counted} counted full members in favour, not more than half"
        " of the counted full members (not of those present) (Party Statute Art. 10.5, A3, A4).",
    ),
    "rules.a5.ok": (
        "Chi bộ có {full} đảng viên chính thức (từ {minimum} trở lên) (Điều lệ Điều 24.1, A5).",
        "The cell has {full} full members (at least {minimum}) (Party Statute Art. 24.1, A5).",
    ),
    "rules.a5.too_few": (
        "Chi bộ chỉ có {full} đảng viên chính thức, cần từ {minimum} trở lên"
        " (Điều lệ Điều 24.1, A5).",
        "The cell has only {full} full members and needs at least {minimum}"
        " (Party Statute Art. 24.1, A5).",
    ),
    # Calendar
    "rules.r1.day": (
        "Sinh hoạt chi bộ định kỳ ngày {date} (50-CT/TW, R1, M4).",
        "Regular cell meeting on {date} (50-CT/TW, R1, M4).",
    ),
    "rules.r1.shifted": (
        "Ngày {configured} là ngày nghỉ: sinh hoạt chi bộ định kỳ dời sang ngày {date}, trong"
        " tuần đầu của tháng (50-CT/TW, R1, M4).",
        "{configured} is a day off: the regular cell meeting moves to {date}, within the first"
        " week of the month (50-CT/TW, R1, M4).",
    ),
    "rules.r1.due": (
        "Sinh hoạt chi bộ định kỳ tháng {month} vào ngày {date} (R1).",
        "Regular cell meeting for {month} due on {date} (R1).",
    ),
    "rules.r1.overdue": (
        "Quá hạn: chưa sinh hoạt chi bộ định kỳ tháng {month} (dự kiến ngày {date}) (R1).",
        "Overdue: no regular cell meeting held for {month} (planned for {date}) (R1).",
    ),
    "rules.r1.week_off": (
        "Cả tuần đầu của tháng đều là ngày nghỉ: sinh hoạt chi bộ định kỳ vẫn trong tuần đầu,"
        " ngày {date} (50-CT/TW: ngày 03 hằng tháng, nếu vào ngày nghỉ sinh hoạt trong tuần đầu"
        " tiên của tháng; R1, M4).",
        "Every day of the first week is a day off: the regular cell meeting stays in the first"
        " week, on {date} (50-CT/TW: the 3rd of each month, within the first week when that is a"
        " day off; R1, M4).",
    ),
    "rules.r1.late": (
        "Sinh hoạt chi bộ định kỳ tháng {month} muộn: họp ngày {held}, sau tuần đầu của tháng"
        " (dự kiến ngày {date}) (50-CT/TW, R1).",
        "The regular cell meeting for {month} was late: held on {held}, after the first week"
        " (planned for {date}) (50-CT/TW, R1).",
    ),
    "rules.m4.day": (
        "Sinh hoạt chi bộ định kỳ ngày {date}, theo ngày sinh hoạt của chi bộ (trước 50-CT/TW,"
        " M4).",
        "Regular cell meeting on {date}, the cell's own meeting day (before 50-CT/TW, M4).",
    ),
    "rules.m4.shifted": (
        "Ngày {configured} là ngày nghỉ: sinh hoạt chi bộ định kỳ dời sang ngày {date} (trước"
        " 50-CT/TW, M4).",
        "{configured} is a day off: the regular cell meeting moves to {date} (before 50-CT/TW,"
        " M4).",
    ),
    "rules.m4.due": (
        "Sinh hoạt chi bộ định kỳ tháng {month} vào ngày {date} (M4).",
        "Regular cell meeting for {month} due on {date} (M4).",
    ),
    "rules.m4.overdue": (
        "Quá hạn: chưa sinh hoạt chi bộ định kỳ tháng {month} (dự kiến ngày {date}) (M4).",
        "Overdue: no regular cell meeting held for {month} (planned for {date}) (M4).",
    ),
    "rules.r2.combined": (
        "Không được họp chi bộ kết hợp với cuộc họp khác ({other}) (50-CT/TW: tuyệt đối không được"
        " họp chi bộ kết hợp các cuộc họp khác; R2).",
        "A cell meeting may not be combined with another meeting ({other}) (50-CT/TW: a cell"
        " meeting is never combined with other meetings; R2).",
    ),
    "rules.r2.suspected": (
        "Tên hoặc nội dung cuộc họp giống cuộc họp của tổ chức khác ({words}). Bí thư xác nhận đây"
        " là sinh hoạt chi bộ, không kết hợp cuộc họp khác (50-CT/TW, R2).",
        "The meeting's title or agenda looks like another body's meeting ({words}). The secretary"
        " must confirm it is a cell meeting, not combined with another meeting (50-CT/TW, R2).",
    ),
    "rules.r2.confirmed": (
        "Bí thư đã xác nhận sinh hoạt chi bộ không kết hợp cuộc họp khác (50-CT/TW, R2).",
        "The secretary confirmed the cell meeting is not combined with another meeting"
        " (50-CT/TW, R2).",
    ),
    "rules.r2.ok": (
        "Sinh hoạt chi bộ riêng, không kết hợp cuộc họp khác (50-CT/TW, R2).",
        "A cell meeting of its own, not combined with another meeting (50-CT/TW, R2).",
    ),
    "rules.r3.due": (
        "Cần sinh hoạt chuyên đề quý {quarter}/{year}, chậm nhất ngày {date} (50-CT/TW, R3).",
        "A thematic meeting is due in Q{quarter} {year}, by {date} (50-CT/TW, R3).",
    ),
    "rules.r3.overdue": (
        "Quá hạn: quý {quarter}/{year} chưa sinh hoạt chuyên đề (50-CT/TW, R3).",
        "Overdue: no thematic meeting was held in Q{quarter} {year} (50-CT/TW, R3).",
    ),
    "rules.m2.ok": (
        "Thời lượng {minutes} phút, đạt tối thiểu {minimum} phút (M2).",
        "Lasted {minutes} minutes, at least the {minimum} required (M2).",
    ),
    "rules.m2.short": (
        "Thời lượng {minutes} phút, chưa đạt tối thiểu {minimum} phút (M2).",
        "Lasted {minutes} minutes, short of the {minimum} required (M2).",
    ),
    "rules.m3.ok": (
        "Tài liệu đã gửi đảng viên ngày {published}, trước kỳ sinh hoạt ít nhất một ngày (M3).",
        "Documents sent to members on {published}, at least a day before the meeting (M3).",
    ),
    "rules.m3.late": (
        "Tài liệu chưa được gửi đảng viên đúng hạn (chậm nhất ngày {deadline}) (M3).",
        "Documents were not sent to members in time (by {deadline}) (M3).",
    ),
    "rules.m3.due": (
        "Gửi tài liệu cho kỳ sinh hoạt ngày {meeting} chậm nhất ngày {deadline} (M3).",
        "Send the documents for the meeting of {meeting} by {deadline} (M3).",
    ),
    "rules.m3.overdue": (
        "Quá hạn gửi tài liệu cho kỳ sinh hoạt ngày {meeting} (hạn {deadline}) (M3).",
        "Documents for the meeting of {meeting} are overdue (deadline {deadline}) (M3).",
    ),
    "rules.gm3.ok": (
        f"Tổ đảng đã báo cáo chi ủy đúng hạn ({_HD} mục II.4.2, GM3).",
        "The party group reported to the committee in time (03-HD/TW §II.4.2, GM3).",
    ),
    "rules.gm3.late": (
        f"Tổ đảng báo cáo chi ủy muộn, hạn là ngày {{deadline}} ({_HD} mục II.4.2, GM3).",
        "The party group reported late; the deadline was {deadline} (03-HD/TW §II.4.2, GM3).",
    ),
    "rules.gm3.due": (
        f"Tổ đảng báo cáo chi ủy chậm nhất ngày {{deadline}} ({_HD} mục II.4.2, GM3).",
        "The party group reports to the committee by {deadline} (03-HD/TW §II.4.2, GM3).",
    ),
    "rules.gm3.overdue": (
        f"Quá hạn: tổ đảng chưa báo cáo chi ủy (hạn {{deadline}}) ({_HD} mục II.4.2, GM3).",
        "Overdue: the party group has not reported (deadline {deadline}) (03-HD/TW §II.4.2, GM3).",
    ),
    "rules.gm3.duty_due": (
        "Tổ đảng {group} báo cáo chi ủy chậm nhất ngày {deadline} (GM3).",
        "Party group {group} reports to the committee by {deadline} (GM3).",
    ),
    "rules.gm3.duty_overdue": (
        "Quá hạn: tổ đảng {group} chưa báo cáo chi ủy (hạn {deadline}) (GM3).",
        "Overdue: party group {group} has not reported (deadline {deadline}) (GM3).",
    ),
}
