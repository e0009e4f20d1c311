"""Texts of the superior committee's pages: its cells (``/committee``: Q1–Q3, S1, S3, GM3), the
pilot registrations for the organisation board and the standing committee (``/board``: V1–V3)
and a cell's own registrations (``/pilot``: V1, V2)."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # /committee
    "committee.title": (
        "Cấp ủy cấp trên — các chi bộ trực thuộc",
        "Superior committee — its cells",
    ),
    "committee.org": ("Cấp ủy", "Committee"),
    "committee.month": ("Tháng", "Month"),
    "committee.no_role": (
        "Trang này dành cho cấp ủy viên của cấp ủy cấp trên cơ sở (bí thư, phó bí thư, ủy viên).",
        "This page is for the members of a committee above the cells (secretary, deputy, member).",
    ),
    "committee.load_failed": (
        "Không tải được số liệu của các chi bộ. Vui lòng tải lại trang.",
        "Could not load the cells' figures. Please reload the page.",
    ),
    "committee.cells": ("Các chi bộ trong tháng", "The cells this month"),
    "committee.cells.none": ("Cấp ủy chưa có chi bộ trực thuộc.", "The committee has no cells."),
    "committee.cell.meeting": ("Sinh hoạt định kỳ (R1)", "Regular meeting (R1)"),
    "committee.cell.held_on": ("ngày {date}", "on {date}"),
    "committee.cell.grade": ("Xếp loại (Q2)", "Classification (Q2)"),
    "committee.cell.published": ("đã công bố cho chi bộ", "published to the cell"),
    "committee.cell.stored": ("đã đánh giá, chưa công bố", "evaluated, not published"),
    "committee.cell.draft": ("tạm tính", "provisional"),
    "committee.cell.online": ("Trực tuyến đã dùng trong năm (P3)", "Online used this year (P3)"),
    "committee.cell.group": ("Theo tổ đảng đã dùng (P5)", "By party groups used (P5)"),
    "committee.cell.late_reports": (
        "Báo cáo tổ đảng quá hạn (GM3)",
        "Party-group reports overdue (GM3)",
    ),
    "committee.cell.trend": ("Chất lượng các tháng gần đây:", "Quality in recent months:"),
    "committee.weak": ("Chi bộ yếu kém (Q3)", "Weak cells (Q3)"),
    "committee.weak.none": (
        "Không có chi bộ yếu kém liên tiếp.",
        "No cell is weak in consecutive periods.",
    ),
    "committee.weak.responsible": ("Cấp ủy viên theo dõi: {names}.", "Followed by: {names}."),
    "committee.weak.nobody": ("chưa phân công", "nobody assigned"),
    "committee.assignments": (
        "Phân công cấp ủy viên dự sinh hoạt, theo dõi chi bộ (S1)",
        "Committee members assigned to attend and follow cells (S1)",
    ),
    "committee.assign.none": ("Chưa phân công cấp ủy viên nào.", "Nobody is assigned yet."),
    "committee.assign.since": ("từ {date}", "since {date}"),
    "committee.assign.cell": ("Chi bộ", "Cell"),
    "committee.assign.member": ("Cấp ủy viên", "Committee member"),
    "committee.assign.from": ("Từ ngày", "From"),
    "committee.assign.submit": ("Phân công", "Assign"),
    "committee.assign.incomplete": (
        "Chọn chi bộ, cấp ủy viên và ngày bắt đầu.",
        "Choose the cell, the committee member and the start date.",
    ),
    "committee.assign.done": (
        "Đã phân công đồng chí {member} theo dõi {cell}; đồng chí dự sinh hoạt với tư cách đại "
        "biểu cấp ủy cấp trên (R5).",
        "{member} now follows {cell} and attends its meetings as observer (R5).",
    ),
    "committee.evaluate": (
        "Đánh giá chất lượng sinh hoạt (Q1, Q2)",
        "Evaluating the meetings' quality (Q1, Q2)",
    ),
    "committee.evaluate.hint": (
        "Kết quả tính từ hồ sơ cuộc họp theo bộ tiêu chí của cấp ủy; xem căn cứ từng tiêu chí "
        "trước khi công bố cho chi bộ.",
        "Computed from the meetings' records with the committee's criteria; read the evidence "
        "for each criterion before publishing to the cells.",
    ),
    "committee.evaluate.compute": ("Tính kết quả tháng", "Evaluate the month"),
    "committee.evaluate.publish": ("Công bố cho các chi bộ", "Publish to the cells"),
    "committee.evaluate.done": (
        "Đã tính kết quả tháng {month}; chưa công bố cho chi bộ.",
        "Month {month} evaluated; not yet published to the cells.",
    ),
    "committee.evaluate.published": (
        "Đã công bố kết quả tháng {month} cho các chi bộ (Q2).",
        "Month {month} published to the cells (Q2).",
    ),
    "committee.evaluate.cell": ("Đánh giá", "Evaluate"),
    "committee.evaluate.all": ("Tất cả chi bộ trực thuộc", "All the cells"),
    "committee.evaluate.done_cell": (
        "Đã tính kết quả tháng {month} của {cell}; chưa công bố cho chi bộ.",
        "Month {month} evaluated for {cell}; not yet published to the cell.",
    ),
    "committee.evaluate.published_cell": (
        "Đã công bố kết quả tháng {month} cho {cell} (Q2).",
        "Month {month} published to {cell} (Q2).",
    ),
    # /committee: the criteria (Q1)
    "committee.criteria": (
        "Bộ tiêu chí đánh giá chất lượng sinh hoạt (Q1)",
        "Quality criteria for the meetings (Q1)",
    ),
    "committee.criteria.hint": (
        "Mỗi lần lưu tạo một phiên bản mới; kết quả đã tính vẫn giữ phiên bản đã dùng. Tiêu chí "
        "không chọn thì không chấm; “xếp loại tối đa” là loại cao nhất của cuộc họp không đạt "
        "tiêu chí đó.",
        "Each save makes a new version; results already computed keep the version they used. "
        "A criterion left unticked is not judged; the cap is the best grade of a meeting that "
        "fails it.",
    ),
    "committee.criteria.points": ("Điểm", "Points"),
    "committee.criteria.threshold": ("Tỷ lệ tối thiểu (%)", "Minimum share (%)"),
    "committee.criteria.cap": ("Không đạt: xếp loại tối đa", "If failed: best grade"),
    "committee.criteria.no_cap": ("Không giới hạn", "No cap"),
    "committee.criteria.grades": (
        "Ngưỡng xếp loại (tỷ lệ điểm tối thiểu, %)",
        "Grade thresholds (lowest percentage of the points)",
    ),
    "committee.criteria.weak_periods": (
        "Số kỳ yếu liên tiếp để cảnh báo (Q3)",
        "Consecutive weak periods to flag (Q3)",
    ),
    "committee.criteria.save": ("Lưu thành phiên bản mới", "Save as a new version"),
    "committee.criteria.fill_defaults": (
        "Điền mặc định theo quy định",
        "Fill in the defaults from the rules",
    ),
    "committee.criteria.defaults_filled": (
        "Đã điền bộ tiêu chí mặc định theo quy định; bấm “Lưu thành phiên bản mới” để áp dụng.",
        "The defaults from the rules are filled in; save them as a new version to apply them.",
    ),
    "committee.criteria.history": ("Các phiên bản", "Versions"),
    "committee.criteria.version": ("Phiên bản {version}", "Version {version}"),
    "committee.criteria.default": ("mặc định theo quy định", "the defaults from the rules"),
    "committee.criteria.saved": ("do {who} lưu lúc {at}", "saved by {who} at {at}"),
    "committee.criteria.summary": (
        "{count} tiêu chí, {points} điểm; tốt từ {good}%, khá từ {fair}%, trung bình từ {average}%",
        "{count} criteria, {points} points; good from {good}%, fair from {fair}%, average from "
        "{average}%",
    ),
    "committee.criteria.in_force": ("(đang áp dụng)", "(in force)"),
    "committee.criteria.done": (
        "Đã lưu phiên bản {version} của bộ tiêu chí; các lần đánh giá sau dùng phiên bản này.",
        "Version {version} of the criteria is saved; evaluations from now on use it.",
    ),
    "committee.criteria.bad_points": (
        "{name}: điểm phải là số nguyên từ 0 đến 100.",
        "{name}: points must be a whole number from 0 to 100.",
    ),
    "committee.criteria.bad_threshold": (
        "{name}: tỷ lệ tối thiểu phải là số nguyên từ 0 đến 100 (%).",
        "{name}: the minimum share must be a whole number from 0 to 100 (%).",
    ),
    "committee.criteria.bad_grade": (
        "Ngưỡng loại {grade} phải là số nguyên từ 0 đến 100 (%).",
        "The threshold for {grade} must be a whole number from 0 to 100 (%).",
    ),
    "committee.criteria.bad_periods": (
        "Số kỳ yếu liên tiếp phải là số nguyên từ 1 đến 12.",
        "The consecutive weak periods must be a whole number from 1 to 12.",
    ),
    "committee.criteria.none_chosen": (
        "Cần chọn ít nhất một tiêu chí.",
        "Choose at least one criterion.",
    ),
    # /committee: inspections (S2)
    "committee.inspect": (
        "Kiểm tra hồ sơ sinh hoạt của chi bộ (S2)",
        "Inspecting a cell's meeting records (S2)",
    ),
    "committee.inspect.hint": (
        "Mở cuộc kiểm tra để đọc biên bản, nghị quyết, kết luận, báo cáo nhiệm vụ và phân công tổ "
        "đảng của chi bộ trong thời kỳ kiểm tra. Sổ ghi chép của đảng viên chỉ hiện khi đảng viên "
        "nộp cho cuộc kiểm tra. Mỗi lần mở, mỗi lần đọc đều được ghi vào nhật ký kiểm tra.",
        "Open an inspection to read the cell's minutes, resolutions, conclusions, task reports "
        "and party-group assignments for the period. A member's notebook shows only when the "
        "member hands it in. Every opening and every reading is written to the audit log.",
    ),
    "committee.inspect.subject": ("Nội dung kiểm tra", "Subject"),
    "committee.inspect.open": ("Mở cuộc kiểm tra", "Open the inspection"),
    "committee.inspect.incomplete": (
        "Cần chọn chi bộ và thời kỳ kiểm tra (từ ngày, đến ngày).",
        "Choose the cell and the period (from, to).",
    ),
    "committee.inspect.bad_period": (
        "Ngày kết thúc thời kỳ kiểm tra không được trước ngày bắt đầu.",
        "The period cannot end before it begins.",
    ),
    "committee.inspect.opened_done": (
        "Đã mở cuộc kiểm tra hồ sơ {cell} (S2).",
        "Inspection of {cell} opened (S2).",
    ),
    "committee.inspect.closed_done": (
        "Đã kết thúc cuộc kiểm tra hồ sơ {cell}.",
        "Inspection of {cell} closed.",
    ),
    "committee.inspect.none": ("Chưa có cuộc kiểm tra nào.", "No inspection yet."),
    "committee.inspect.opened": ("mở lúc {at}", "opened at {at}"),
    "committee.inspect.closed": ("đã kết thúc lúc {at}", "closed at {at}"),
    "committee.inspect.read": ("Xem hồ sơ", "Read the records"),
    "committee.inspect.close": ("Kết thúc kiểm tra", "Close"),
    "committee.inspect.records_of": (
        "Hồ sơ sinh hoạt {cell} từ {from} đến {to}",
        "Records of {cell} from {from} to {to}",
    ),
    "committee.inspect.no_meetings": (
        "Chi bộ không có cuộc họp nào được tổ chức trong thời kỳ kiểm tra.",
        "The cell held no meeting in the period.",
    ),
    "committee.inspect.minutes": ("Biên bản (M1)", "Minutes (M1)"),
    "committee.inspect.minutes_adopted": (
        "Biên bản đã thông qua lúc {at}",
        "Minutes adopted at {at}",
    ),
    "committee.inspect.minutes_draft": (
        "Biên bản chưa được thông qua",
        "Minutes not adopted yet",
    ),
    "committee.inspect.no_minutes": ("Chưa có biên bản.", "No minutes."),
    "committee.inspect.resolutions": (
        "Nghị quyết, kết luận, biểu quyết (A3)",
        "Resolutions, conclusions, votes (A3)",
    ),
    "committee.inspect.task_reports": (
        "Đảng viên báo cáo nhiệm vụ được phân công (R8)",
        "Members' reports on their tasks (R8)",
    ),
    "committee.inspect.groups": ("Phân công tổ đảng (GM3)", "Party groups' assignments (GM3)"),
    "committee.inspect.group": ("Tổ đảng báo cáo: {reported}", "Group report: {reported}"),
    "committee.inspect.not_reported": ("chưa báo cáo", "not reported"),
    "committee.inspect.nothing": ("Không có.", "None."),
    "committee.inspect.notebooks": (
        "Sổ ghi chép đảng viên đã nộp (S2)",
        "Notebooks handed in (S2)",
    ),
    "committee.inspect.no_notebooks": (
        "Chưa có đảng viên nào nộp sổ ghi chép cho cuộc kiểm tra này; sổ ghi chép của đảng viên "
        "chỉ được xem khi đảng viên nộp (S2).",
        "No member has handed in notes to this inspection; a member's notebook is read only "
        "when the member hands it in (S2).",
    ),
    "committee.inspect.notebook_of": (
        "Ghi chép cuộc họp ngày {date}, nộp lúc {at}",
        "Notes on the meeting of {date}, handed in at {at}",
    ),
    "committee.evidence.meeting": (
        "Cuộc họp ngày {date}: {percent}%",
        "Meeting of {date}: {percent}%",
    ),
    "committee.evidence.no_meeting": (
        "Không có cuộc họp nào được tổ chức trong kỳ.",
        "No meeting was held in the period.",
    ),
    "committee.reports": ("Báo cáo", "Reports"),
    "committee.reports.monthly": (
        "Báo cáo kết quả sinh hoạt chi bộ tháng {month}:",
        "Monthly report on cell meetings, {month}:",
    ),
    "committee.reports.supervision": (
        "Báo cáo kết quả dự sinh hoạt, theo dõi chi bộ {quarter}:",
        "Supervision report, {quarter}:",
    ),
    # /board
    "board.title": (
        "Thí điểm sinh hoạt trực tuyến, theo tổ đảng",
        "The pilot of online and party-group meetings",
    ),
    "board.no_role": (
        "Trang này dành cho Ban Tổ chức và Ban Thường vụ cấp ủy cấp trên.",
        "This page is for the superior committee's organisation board and standing committee.",
    ),
    "board.load_failed": (
        "Không tải được hồ sơ đăng ký. Vui lòng tải lại trang.",
        "Could not load the registrations. Please reload the page.",
    ),
    "board.role.org_board": ("Ban Tổ chức: thẩm định hồ sơ", "Organisation board: vets"),
    "board.role.standing_committee": (
        "Ban Thường vụ: quyết định thí điểm",
        "Standing committee: decides",
    ),
    "board.registrations": (
        "Hồ sơ đăng ký thí điểm (V1, V2)",
        "Pilot registrations (V1, V2)",
    ),
    "board.registrations.none": ("Chưa có hồ sơ đăng ký nào.", "No registration yet."),
    "board.scope.online": ("Sinh hoạt trực tuyến", "Online meetings"),
    "board.scope.group": ("Sinh hoạt theo tổ đảng", "Meetings by party groups"),
    "board.reg.sent": ("gửi ngày {date}", "sent on {date}"),
    "board.reg.members": ("Số đảng viên", "Members"),
    "board.reg.locations": ("Địa bàn", "Locations"),
    "board.reg.it": ("Hạ tầng công nghệ thông tin", "IT readiness"),
    "board.reg.reason": ("Lý do đăng ký", "Reason"),
    "board.reg.contact": ("Người liên hệ", "Contact"),
    "board.action.vet": ("Bắt đầu thẩm định", "Start vetting"),
    "board.action.endorse": ("Đủ điều kiện, trình Ban Thường vụ", "Eligible: put to decision"),
    "board.action.return": ("Trả lại để bổ sung", "Return with the reason"),
    "board.action.approve": ("Phê duyệt", "Approve"),
    "board.action.refuse": ("Không phê duyệt", "Refuse"),
    "board.by.unit": ("Chi bộ", "The cell"),
    "board.by.board": ("Ban Tổ chức", "Organisation board"),
    "board.by.standing": ("Ban Thường vụ", "Standing committee"),
    "board.return.reason": ("Lý do trả lại", "Reason for returning"),
    "board.refuse.reason": ("Lý do không phê duyệt", "Reason for refusing"),
    "board.reason_needed": (
        "Cần ghi rõ lý do (V2).",
        "A reason is required (V2).",
    ),
    "board.decision.number": ("Số quyết định", "Decision number"),
    "board.decision.on": ("Ngày quyết định", "Decided on"),
    "board.decision.from": ("Hiệu lực từ", "Valid from"),
    "board.decision.to": ("Hiệu lực đến (không bắt buộc)", "Valid until (optional)"),
    "board.decision.number_needed": (
        "Cần ghi số quyết định phê duyệt (E3).",
        "The decision's number is required (E3).",
    ),
    "board.step.done": ("Đã {action}: {unit}.", "Done ({action}): {unit}."),
    "board.calls": ("Đợt đăng ký (V1)", "Calls for registrations (V1)"),
    "board.calls.none": ("Chưa mở đợt đăng ký nào.", "No call opened yet."),
    "board.call.item": (
        "Văn bản {number} ngày {issued}, hạn đăng ký {deadline}",
        "Letter {number} of {issued}, deadline {deadline}",
    ),
    "board.call.number": ("Số văn bản", "Letter number"),
    "board.call.issued": ("Ngày ban hành", "Issued on"),
    "board.call.deadline": ("Hạn đăng ký", "Deadline"),
    "board.call.submit": ("Mở đợt đăng ký", "Open a call"),
    "board.call.done": ("Đã mở đợt đăng ký.", "The call is open."),
    "board.call.close": ("Đóng đợt đăng ký", "Close the call"),
    "board.call.closed": ("đã đóng ngày {date}", "closed on {date}"),
    "board.call.closed_done": (
        "Đã đóng đợt đăng ký {number}: các chi bộ không gửi hồ sơ theo đợt này được nữa (V1).",
        "Call {number} is closed: no more registrations to it (V1).",
    ),
    "board.review": ("Theo dõi, sơ kết, tổng kết (V3)", "Monitoring and reviews (V3)"),
    "board.review.from": ("Từ ngày", "From"),
    "board.review.to": ("Đến ngày", "To"),
    "board.review.stage": ("Loại báo cáo", "Review"),
    "board.review.interim": ("Báo cáo sơ kết", "Interim review"),
    "board.review.final": ("Báo cáo tổng kết", "Final review"),
    "board.review.show": ("Xem số liệu", "Show the figures"),
    "board.col.unit": ("Đơn vị", "Unit"),
    "board.col.online": ("Trực tuyến", "Online"),
    "board.col.group": ("Theo tổ", "By groups"),
    "board.col.in_person": ("Trực tiếp", "In person"),
    "board.col.attendance": ("Dự họp", "Attendance"),
    "board.col.deferred": ("Chuyển họp trực tiếp", "Deferred to in person"),
    "board.col.incidents": ("Sự cố, phản ánh", "Incidents"),
    "board.col.state": ("Hồ sơ, quyết định", "Registration, decision"),
    "committee.incidents": (
        "Sự cố, phản ánh trong thí điểm của tháng (V3)",
        "The pilot's incidents and feedback this month (V3)",
    ),
    "committee.incident.cell": ("Chi bộ", "Cell"),
    "board.incidents": ("Sự cố, phản ánh của đảng viên (V3)", "Incidents and feedback (V3)"),
    "board.incident.none": (
        "Chưa ghi nhận sự cố, phản ánh nào trong khoảng ngày này.",
        "No incident or feedback recorded in these dates.",
    ),
    "board.incident.on": ("Ngày xảy ra", "Occurred on"),
    "board.incident.kind": ("Loại", "Kind"),
    "board.incident.kind.technical": ("Sự cố kỹ thuật", "Technical incident"),
    "board.incident.kind.security": ("Sự cố an toàn thông tin", "Security incident"),
    "board.incident.kind.feedback": ("Phản ánh của đảng viên", "Members' feedback"),
    "board.incident.description": ("Nội dung", "Description"),
    "board.incident.submit": ("Ghi nhận", "Record"),
    "board.incident.incomplete": (
        "Cần chọn đơn vị và ngày xảy ra.",
        "Choose the unit and the date.",
    ),
    "board.incident.describe": (
        "Cần ghi nội dung sự cố hoặc phản ánh.",
        "Describe the incident or the feedback.",
    ),
    "board.incident.future": (
        "Ngày xảy ra không được sau hôm nay (giờ Việt Nam).",
        "The date cannot be after today (Vietnam time).",
    ),
    "board.incident.done": (
        "Đã ghi nhận cho {unit}; số liệu sơ kết, tổng kết đã cập nhật (V3).",
        "Recorded for {unit}; the review's figures are updated (V3).",
    ),
    # /pilot
    "pilot.title": ("Đăng ký thí điểm của chi bộ", "The cell's pilot registrations"),
    "pilot.no_role": (
        "Trang này dành cho bí thư chi bộ.",
        "This page is for a cell's secretary.",
    ),
    "pilot.load_failed": (
        "Không tải được hồ sơ đăng ký. Vui lòng tải lại trang.",
        "Could not load the registrations. Please reload the page.",
    ),
    "pilot.mine": ("Hồ sơ đã gửi (V1, V2)", "Registrations sent (V1, V2)"),
    "pilot.none": ("Chi bộ chưa gửi hồ sơ nào.", "The cell has sent no registration."),
    "pilot.new": ("Gửi hồ sơ đăng ký mới (mẫu 828-CV)", "A new registration (828-CV form)"),
    "pilot.scope": ("Hình thức", "Kind"),
    "pilot.groups": ("Số tổ đảng", "Party groups"),
    "pilot.call": ("Đợt đăng ký (V1)", "Call for registrations (V1)"),
    "pilot.call.item": (
        "Hạn {deadline}: văn bản {number} của {org}",
        "Deadline {deadline}: letter {number} of {org}",
    ),
    "pilot.reg.call": (
        "Theo đợt đăng ký: văn bản {number} của {org}, hạn {deadline} (giờ Việt Nam)",
        "Answering letter {number} of {org}, deadline {deadline} (Vietnam time)",
    ),
    "pilot.reg.no_call": ("Không theo đợt đăng ký nào", "Answering no call"),
    "pilot.call.without": ("Không theo đợt đăng ký", "Not answering a call"),
    "pilot.call.days_left": (
        "Hạn đăng ký {deadline} (giờ Việt Nam), còn {days} ngày. Gửi sau hạn sẽ bị từ chối (V1).",
        "Deadline {deadline} (Vietnam time), {days} days left. Sent later, it is refused (V1).",
    ),
    "pilot.call.last_day": (
        "Hôm nay ({deadline}) là ngày cuối cùng của hạn đăng ký (giờ Việt Nam) (V1).",
        "Today ({deadline}) is the last day to register (Vietnam time) (V1).",
    ),
    "pilot.call.without_hint": (
        "Hồ sơ gửi không theo đợt đăng ký nào của cấp ủy cấp trên.",
        "The registration answers no call of the superior committee.",
    ),
    "pilot.call.none_open": (
        "Cấp ủy cấp trên hiện không có đợt đăng ký nào còn hạn.",
        "No call of the superior committee is open now.",
    ),
    "pilot.submit": ("Gửi đăng ký", "Send"),
    "pilot.sent": ("Đã gửi hồ sơ đăng ký.", "The registration is sent."),
    "pilot.bad_count": (
        "Số đảng viên phải là số nguyên không âm.",
        "The number of members must be a whole number, zero or more.",
    ),
    "pilot.returned_reason": ("Ban Tổ chức trả lại: {reason}", "Returned by the board: {reason}"),
    "pilot.correct": ("Bổ sung hồ sơ", "Correct the registration"),
    "pilot.resend": ("Bổ sung và gửi lại", "Correct and send again"),
    "pilot.corrected": ("Đã bổ sung và gửi lại hồ sơ.", "Corrected and sent again."),
}
