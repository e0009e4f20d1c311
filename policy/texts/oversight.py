"""Translation table part: the superior committee's oversight — meeting quality (Q1–Q3),
supervision and inspection (S1–S3), the pilot programme (V1–V3). Values are (vi, en).

Each explanation ends with its rule ids, so a cell or a committee member can look it up."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # Q2 grades
    "oversight.grade.good": ("Tốt", "Good"),
    "oversight.grade.fair": ("Khá", "Fair"),
    "oversight.grade.average": ("Trung bình", "Average"),
    "oversight.grade.weak": ("Yếu", "Weak"),
    # criteria names (Q1)
    "oversight.criterion.on_day": ("Sinh hoạt đúng ngày (R1)", "Held on the meeting day (R1)"),
    "oversight.criterion.duration": ("Thời lượng (M2)", "Duration (M2)"),
    "oversight.criterion.attendance": ("Tỷ lệ dự họp (A2)", "Attendance (A2)"),
    "oversight.criterion.documents": ("Gửi tài liệu trước (M3)", "Documents ahead (M3)"),
    "oversight.criterion.task_reports": (
        "Đảng viên báo cáo nhiệm vụ (R8)",
        "Members' task reports (R8)",
    ),
    "oversight.criterion.speakers": ("Tỷ lệ phát biểu (Q1)", "Share who spoke (Q1)"),
    "oversight.criterion.resolution": (
        "Thông qua kết luận, nghị quyết (A3)",
        "Conclusion or resolution adopted (A3)",
    ),
    "oversight.criterion.minutes": ("Biên bản (M1)", "Minutes (M1)"),
    "oversight.criterion.thematic": ("Sinh hoạt chuyên đề trong quý (R3)", "Thematic meeting (R3)"),
    "oversight.criterion.caps": ("Giới hạn trực tuyến, tổ đảng (P3, P5)", "Caps (P3, P5)"),
    "oversight.criterion.not_combined": (
        "Không lồng ghép cuộc họp khác (R2)",
        "Not combined (R2)",
    ),
    "oversight.criterion.group_reports": (
        "Tổ đảng báo cáo đúng hạn (GM3)",
        "Group reports on time (GM3)",
    ),
    # Q1 evidence
    "oversight.q1.on_day.na": (
        "Không phải kỳ sinh hoạt định kỳ: không xét ngày sinh hoạt (R1).",
        "Not a regular meeting: the meeting day is not judged (R1).",
    ),
    "oversight.q1.on_day.ok": (
        "Họp ngày {date}, trong khoảng {start}–{end} (R1).",
        "Held on {date}, within {start}–{end} (R1).",
    ),
    "oversight.q1.on_day.late": (
        "Họp ngày {date}, ngoài khoảng {start}–{end}: sinh hoạt muộn (R1).",
        "Held on {date}, outside {start}–{end}: a late meeting (R1).",
    ),
    "oversight.q1.duration.unknown": (
        "Không có giờ bắt đầu và kết thúc; cần ít nhất {minimum} phút (M2).",
        "No start and end recorded; at least {minimum} minutes are needed (M2).",
    ),
    "oversight.q1.duration.ok": (
        "Họp {minutes} phút, đạt tối thiểu {minimum} phút (M2).",
        "Lasted {minutes} minutes, at least {minimum} (M2).",
    ),
    "oversight.q1.duration.short": (
        "Họp {minutes} phút, dưới tối thiểu {minimum} phút (M2).",
        "Lasted {minutes} minutes, under the {minimum} required (M2).",
    ),
    "oversight.q1.attendance.ok": (
        "{present}/{counted} đảng viên chính thức được tính có mặt ({share}, yêu cầu từ"
        " {threshold}) (A2).",
        "{present} of {counted} counted full members present ({share}, {threshold} required) (A2).",
    ),
    "oversight.q1.attendance.low": (
        "Chỉ {present}/{counted} đảng viên chính thức được tính có mặt ({share}, yêu cầu từ"
        " {threshold}) (A2).",
        "Only {present} of {counted} counted full members present ({share}, {threshold}"
        " required) (A2).",
    ),
    "oversight.q1.documents.none": (
        "Không có tài liệu được gửi tới đảng viên trước ngày {deadline} (M3).",
        "No documents were published to members by {deadline} (M3).",
    ),
    "oversight.q1.documents.ok": (
        "Tài liệu gửi ngày {published}, trước hạn {deadline} (M3).",
        "Documents published on {published}, by {deadline} (M3).",
    ),
    "oversight.q1.documents.late": (
        "Tài liệu gửi ngày {published}, sau hạn {deadline} (M3).",
        "Documents published on {published}, after {deadline} (M3).",
    ),
    "oversight.q1.task_reports.ok": (
        "{reports} báo cáo kết quả thực hiện nhiệm vụ được phân công (R8).",
        "{reports} reports on assigned tasks (R8).",
    ),
    "oversight.q1.task_reports.none": (
        "Không có đảng viên báo cáo kết quả thực hiện nhiệm vụ được phân công (R8).",
        "No member reported on assigned tasks (R8).",
    ),
    "oversight.q1.speakers.ok": (
        "{speakers}/{attendees} người dự phát biểu ({share}, yêu cầu từ {threshold}) (Q1).",
        "{speakers} of {attendees} present spoke ({share}, {threshold} required) (Q1).",
    ),
    "oversight.q1.speakers.low": (
        "Chỉ {speakers}/{attendees} người dự phát biểu ({share}, yêu cầu từ {threshold}) (Q1).",
        "Only {speakers} of {attendees} present spoke ({share}, {threshold} required) (Q1).",
    ),
    "oversight.q1.resolution.ok": (
        "{passed} nội dung được biểu quyết thông qua hợp lệ; {conclusions} kết luận (A3).",
        "{passed} items adopted by a valid vote; {conclusions} conclusions (A3).",
    ),
    "oversight.q1.resolution.none": (
        "Không có kết luận, nghị quyết nào được biểu quyết thông qua hợp lệ ({not_valid} lần"
        " biểu quyết không hợp lệ) (A3).",
        "No conclusion or resolution adopted by a valid vote ({not_valid} votes not valid) (A3).",
    ),
    "oversight.q1.minutes.ok": (
        "Biên bản đầy đủ, đã đọc lại và thông qua (M1).",
        "Minutes complete, read back and adopted (M1).",
    ),
    "oversight.q1.minutes.adopted": (
        "Biên bản đã thông qua nhưng thiếu: {missing} (M1).",
        "Minutes adopted but lacking: {missing} (M1).",
    ),
    "oversight.q1.minutes.not_adopted": (
        "Biên bản chưa được đọc lại và thông qua; thiếu: {missing} (M1).",
        "Minutes not read back and adopted; lacking: {missing} (M1).",
    ),
    "oversight.q1.thematic.pending": (
        "Quý chưa kết thúc: chưa xét sinh hoạt chuyên đề (R3).",
        "The quarter is not over: the thematic meeting is not judged yet (R3).",
    ),
    "oversight.q1.thematic.ok": (
        "Đã sinh hoạt chuyên đề trong quý (R3).",
        "A thematic meeting was held in the quarter (R3).",
    ),
    "oversight.q1.thematic.none": (
        "Không sinh hoạt chuyên đề trong quý (R3).",
        "No thematic meeting in the quarter (R3).",
    ),
    "oversight.q1.caps.ok": (
        "Trực tuyến {online}/{online_cap}, theo tổ đảng {groups}/{group_cap} trong năm (P3, P5).",
        "Online {online} of {online_cap}, by groups {groups} of {group_cap} this year (P3, P5).",
    ),
    "oversight.q1.caps.over": (
        "Vượt giới hạn: trực tuyến {online}/{online_cap}, theo tổ đảng {groups}/{group_cap}"
        " trong năm (P3, P5).",
        "Over the cap: online {online} of {online_cap}, by groups {groups} of {group_cap} this"
        " year (P3, P5).",
    ),
    "oversight.q1.not_combined.ok": (
        "Không có dấu hiệu lồng ghép cuộc họp khác (R2).",
        "No sign of another meeting combined with it (R2).",
    ),
    "oversight.q1.not_combined.suspected": (
        "Nội dung có dấu hiệu lồng ghép cuộc họp khác: {detail_vi}",
        "The agenda looks combined with another meeting: {detail_en}",
    ),
    "oversight.q1.group_reports.na": (
        "Không sinh hoạt theo tổ đảng (GM3).",
        "Not held by party groups (GM3).",
    ),
    "oversight.q1.group_reports.ok": (
        "Cả {groups} tổ đảng báo cáo chi ủy đúng hạn (GM3).",
        "All {groups} party groups reported on time (GM3).",
    ),
    "oversight.q1.group_reports.late": (
        "{late} tổ đảng báo cáo chi ủy chậm hoặc chưa báo cáo: {groups} (GM3).",
        "{late} party groups reported late or not at all: {groups} (GM3).",
    ),
    # Q2
    "oversight.q2.missing": (
        "Không sinh hoạt chi bộ định kỳ trong kỳ: xếp loại yếu (R1, Q2).",
        "No regular cell meeting in the period: weak (R1, Q2).",
    ),
    "oversight.q2.mean": (
        "Điểm bình quân {meetings} cuộc sinh hoạt: {percent}% (Q2).",
        "Mean of {meetings} meetings: {percent}% (Q2).",
    ),
    "oversight.q2.late": (
        "Sinh hoạt định kỳ muộn (sau tuần đầu của tháng): tối đa trung bình (R1).",
        "The regular meeting was late (after the first week): at best average (R1).",
    ),
    "oversight.q2.quarter_mean": (
        "Điểm bình quân {months} tháng: {percent}% (Q2).",
        "Mean of {months} months: {percent}% (Q2).",
    ),
    "oversight.q2.weak_month": (
        "Có tháng xếp loại yếu: tối đa trung bình (Q2).",
        "A weak month in the quarter: at best average (Q2).",
    ),
    "oversight.q2.month_cap": (
        "Có tháng chỉ đạt loại {grade_vi}: quý không xếp cao hơn (Q2).",
        "A month graded {grade_en}: the quarter is graded no higher (Q2).",
    ),
    "oversight.q2.no_thematic": (
        "Không sinh hoạt chuyên đề trong quý: tối đa trung bình (R3).",
        "No thematic meeting in the quarter: at best average (R3).",
    ),
    "oversight.q1.invalid.twice": (
        "Mỗi tiêu chí chỉ được có một lần trong bộ tiêu chí: {criterion_vi} (Q1).",
        "Each criterion at most once in the set: {criterion_en} (Q1).",
    ),
    "oversight.q1.invalid.no_points": (
        "Bộ tiêu chí phải có ít nhất một tiêu chí được chấm điểm (tổng điểm lớn hơn 0) (Q1).",
        "The set needs at least one criterion carrying points (more than 0 in all) (Q1).",
    ),
    "oversight.q1.invalid.thresholds": (
        "Ngưỡng xếp loại phải tăng dần: trung bình ({average}%) ≤ khá ({fair}%) ≤ tốt ({good}%)"
        " ≤ 100% (Q1).",
        "The grade thresholds must rise: average ({average}%) ≤ fair ({fair}%) ≤ good ({good}%)"
        " ≤ 100% (Q1).",
    ),
    "oversight.q1.invalid.other": (
        "Bộ tiêu chí không hợp lệ: {detail} (Q1).",
        "The criteria set is not valid: {detail} (Q1).",
    ),
    "oversight.q2.not_below": (
        "Chi bộ không trực thuộc cấp ủy này, không đánh giá được (Q2).",
        "The cell is not under this committee: it cannot be evaluated here (Q2).",
    ),
    # Q3
    "oversight.q3.flag": (
        "Chi bộ yếu kém kéo dài: yếu {periods} kỳ liên tiếp ({first} – {last}) (Q3).",
        "Cell weak over a long time: weak in {periods} consecutive periods ({first} – {last})"
        " (Q3).",
    ),
    # S1–S3
    "oversight.s1.not_below": (
        "Chi bộ không trực thuộc cấp ủy này (S1).",
        "The cell is not under this committee (S1).",
    ),
    "oversight.s1.not_committee": (
        "Chỉ phân công được cấp ủy viên của chính cấp ủy này theo dõi chi bộ (S1).",
        "Only a member of this committee itself may be assigned to follow a cell (S1).",
    ),
    "oversight.s1.not_assigned": (
        "Đồng chí không được phân công theo dõi chi bộ này (S1).",
        "You are not assigned to follow this cell (S1).",
    ),
    "oversight.s2.closed": (
        "Cuộc kiểm tra đã kết thúc (S2).",
        "The inspection is closed (S2).",
    ),
    "oversight.s2.outside": (
        "Cuộc họp không thuộc chi bộ hoặc thời kỳ của cuộc kiểm tra (S2).",
        "The meeting is not of the inspected cell or period (S2).",
    ),
    "oversight.s2.no_member": (
        "Sổ ghi chép chỉ dành cho đảng viên (S2).",
        "The notebook is for party members only (S2).",
    ),
    "oversight.s2.no_entry": (
        "Chưa có ghi chép cho cuộc họp này (S2).",
        "No notes for this meeting yet (S2).",
    ),
    "oversight.s2.unreadable": (
        "Không đọc được ghi chép (khóa đã bị hủy hoặc dữ liệu bị thay đổi) (S2).",
        "The notes cannot be read (the key was destroyed or the data altered) (S2).",
    ),
    # V1–V3
    "oversight.v1.no_deadline": (
        "Không có đợt đăng ký: không có thời hạn (V1).",
        "No registration call: no deadline (V1).",
    ),
    "oversight.v1.in_time": (
        "Gửi ngày {sent}, trong thời hạn {deadline} (V1).",
        "Sent on {sent}, by the deadline {deadline} (V1).",
    ),
    "oversight.v1.late": (
        "Gửi ngày {sent}, quá thời hạn đăng ký {deadline} (V1).",
        "Sent on {sent}, after the registration deadline {deadline} (V1).",
    ),
    "oversight.v1.closed": (
        "Đợt đăng ký đã được cấp ủy cấp trên đóng ngày {closed}, không nhận thêm hồ sơ (V1).",
        "The superior committee closed this call on {closed}; no more registrations (V1).",
    ),
    "oversight.v1.already_closed": (
        "Đợt đăng ký này đã đóng (V1).",
        "This call is already closed (V1).",
    ),
    "oversight.v3.future": (
        "Ngày xảy ra sự cố không được sau hôm nay (giờ Việt Nam) (V3).",
        "An incident cannot be dated after today (Vietnam time) (V3).",
    ),
    "oversight.v2.state.draft": ("Dự thảo", "Draft"),
    "oversight.v2.state.submitted": ("Đã gửi", "Submitted"),
    "oversight.v2.state.vetting": ("Đang thẩm định", "Under vetting"),
    "oversight.v2.state.returned": ("Trả lại để bổ sung", "Returned with reasons"),
    "oversight.v2.state.vetted": ("Đã thẩm định, trình Ban Thường vụ", "Vetted, put to decision"),
    "oversight.v2.state.approved": ("Được phê duyệt", "Approved"),
    "oversight.v2.state.refused": ("Không phê duyệt", "Refused"),
    "oversight.v2.action.submit": ("gửi đăng ký", "submit"),
    "oversight.v2.action.vet": ("thẩm định", "start vetting"),
    "oversight.v2.action.return": ("trả lại", "return"),
    "oversight.v2.action.correct": ("bổ sung, gửi lại", "correct and resubmit"),
    "oversight.v2.action.endorse": ("trình Ban Thường vụ", "put to the standing committee"),
    "oversight.v2.action.approve": ("phê duyệt", "approve"),
    "oversight.v2.action.refuse": ("không phê duyệt", "refuse"),
    "oversight.v2.blocked": (
        "Không thể {action} khi đăng ký ở trạng thái “{state}” (V2).",
        "Cannot {action_en} a registration that is “{state_en}” (V2).",
    ),
    "oversight.v2.reason_needed": (
        "Cần ghi rõ lý do để {action} (V2).",
        "A written reason is needed to {action_en} (V2).",
    ),
    "oversight.v2.allowed": ("Chuyển sang “{to}” (V2).", "Now “{to_en}” (V2)."),
    "oversight.v2.vetting_ok": (
        "Đủ điều kiện theo phạm vi, đối tượng và hạ tầng công nghệ thông tin (V2, E1, E2, P1).",
        "Meets the scope, the members and the IT conditions (V2, E1, E2, P1).",
    ),
    "oversight.v2.vetting_failed": (
        "Chưa đủ điều kiện để trình Ban Thường vụ: {detail_vi}",
        "Not ready for the standing committee: {detail_en}",
    ),
    # report words
    "oversight.regime.on_time": ("Đúng ngày", "On time"),
    "oversight.regime.late": ("Muộn", "Late"),
    "oversight.regime.missing": ("Không sinh hoạt", "Not held"),
}
