"""Translation table part: the party-group cycle in the browser (E2, P5, GM3, A3, 03-HD/TW
§II.4.2): the committee's page (content and assignments, the groups' reports side by side,
consolidation and the cell's resolution) and the group leader's console; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "groups.loading": ("Đang tải…", "Loading…"),
    "groups.back_home": ("Về trang chủ", "Back to the home page"),
    "groups.refused": ("Không thực hiện được: {message}", "Refused: {message}"),
    "groups.done": ("Đã ghi.", "Recorded."),
    "groups.not_allowed": (
        "Tài khoản này không điều hành được cuộc họp này.",
        "This account may not conduct this meeting.",
    ),
    "groups.status.scheduled": ("Chưa bắt đầu", "Not started"),
    "groups.status.open": ("Đang họp", "In session"),
    "groups.status.closed": ("Đã kết thúc", "Closed"),
    "groups.status.cancelled": ("Đã huỷ", "Cancelled"),
    # the leader's console
    "groups.console.title": ("Sinh hoạt tổ đảng", "Party group meeting"),
    "groups.console.cell": (
        "Thuộc cuộc sinh hoạt chi bộ: {title}",
        "Part of the cell meeting: {title}",
    ),
    "groups.console.assignee": ("Chi ủy viên dự: {name}", "Committee member attending: {name}"),
    "groups.console.dates": (
        "Ngày họp {held}; báo cáo chi ủy chậm nhất ngày {due}.",
        "Meets on {held}; reports to the committee by {due} at the latest.",
    ),
    "groups.console.start": ("Bắt đầu sinh hoạt tổ", "Start the group meeting"),
    "groups.console.close": ("Kết thúc sinh hoạt tổ", "Close the group meeting"),
    "groups.roster.heading": (
        "Đảng viên của tổ và điểm danh",
        "The group's members and attendance",
    ),
    "groups.roster.summary": (
        "Có mặt {present}/{members} đồng chí; đảng viên chính thức được tính có mặt "
        "{full}/{counted}.",
        "Present {present} of {members}; counted full members present {full} of {counted}.",
    ),
    "groups.roster.check_in": ("Ghi có mặt", "Mark present"),
    "groups.roster.absent_with": ("Vắng có lý do", "Absent with a reason"),
    "groups.roster.absent_without": ("Vắng không lý do", "Absent without a reason"),
    "groups.roster.reason": ("Lý do vắng", "Reason for the absence"),
    "groups.roster.pick_first": (
        "Hãy chọn ít nhất một đảng viên trong danh sách.",
        "Pick at least one member in the list first.",
    ),
    "groups.roster.reason_needed": ("Hãy ghi lý do vắng.", "Write the reason for the absence."),
    "groups.roster.present": ("có mặt", "present"),
    "groups.roster.absent_with_reason": ("vắng có lý do", "absent with a reason"),
    "groups.roster.absent_no_reason": ("vắng không lý do", "absent without a reason"),
    "groups.roster.full": ("chính thức", "full"),
    "groups.roster.probationary": ("dự bị", "probationary"),
    "groups.items.heading": ("Nội dung sinh hoạt và ý kiến", "Content and opinions"),
    "groups.items.none": (
        "Chi ủy chưa đặt nội dung cho cuộc sinh hoạt này.",
        "The committee has set no content for this meeting.",
    ),
    "groups.items.open": ("Bắt đầu thảo luận", "Start the discussion"),
    "groups.items.close": ("Kết thúc thảo luận", "End the discussion"),
    "groups.items.status.planned": ("Chưa thảo luận", "Not discussed yet"),
    "groups.items.status.open": ("Đang thảo luận", "Under discussion"),
    "groups.items.status.done": ("Đã thảo luận", "Discussed"),
    "groups.items.status.deferred": (
        "Chuyển sang sinh hoạt trực tiếp toàn chi bộ",
        "Moved to an in-person meeting of the whole cell",
    ),
    "groups.note.kind": ("Loại ý kiến", "Kind of opinion"),
    "groups.note.kind.speech": ("Phát biểu", "Speech"),
    "groups.note.kind.differing": ("Ý kiến khác", "Differing opinion"),
    "groups.note.kind.reserved": ("Ý kiến bảo lưu", "Reserved opinion"),
    "groups.note.kind.conclusion": ("Kết luận của tổ", "The group's conclusion"),
    "groups.note.speaker": ("Người phát biểu", "Speaker"),
    "groups.note.text": ("Nội dung ý kiến", "What was said"),
    "groups.note.add": ("Ghi ý kiến", "Record the opinion"),
    "groups.note.empty": ("Hãy ghi nội dung ý kiến.", "Write what was said."),
    "groups.note.no_speaker": ("Hãy chọn người phát biểu.", "Pick the speaker."),
    "groups.note.recorded": ("Ý kiến đã ghi", "Opinions recorded"),
    "groups.vote.heading": (
        "Biểu quyết dự thảo kết luận, nghị quyết",
        "Vote on the draft conclusion or resolution",
    ),
    "groups.vote.subject": ("Dự thảo được biểu quyết", "The draft voted on"),
    "groups.vote.open": ("Bắt đầu biểu quyết", "Open the vote"),
    "groups.vote.yes": ("Tán thành", "In favour"),
    "groups.vote.no": ("Không tán thành", "Against"),
    "groups.vote.abstain": ("Không biểu quyết", "Not voting"),
    "groups.vote.close": ("Ghi kết quả và kết thúc biểu quyết", "Record the count and close"),
    "groups.vote.bad_count": (
        "Số biểu quyết phải là số nguyên không âm.",
        "Counts must be whole numbers, zero or more.",
    ),
    "groups.vote.result": (
        "“{subject}”: tán thành {yes}, không tán thành {no}, không biểu quyết {abstain}.",
        "“{subject}”: {yes} in favour, {no} against, {abstain} not voting.",
    ),
    "groups.minutes.heading": ("Biên bản sinh hoạt tổ", "The group's minutes"),
    "groups.minutes.none": ("Chưa lập biên bản.", "No minutes yet."),
    "groups.minutes.draft": (
        "Biên bản dự thảo đã lập từ diễn biến cuộc họp; đọc lại trước khi thông qua.",
        "Draft minutes made from the meeting's records; read them back before adopting.",
    ),
    "groups.minutes.adopted": ("Biên bản đã được thông qua.", "The minutes are adopted."),
    "groups.minutes.generate": ("Lập biên bản", "Make the minutes"),
    "groups.minutes.adopt": ("Thông qua biên bản", "Adopt the minutes"),
    "groups.minutes.docx": ("Tải biên bản (DOCX)", "Download the minutes (DOCX)"),
    "groups.minutes.pdf": ("Tải biên bản (PDF)", "Download the minutes (PDF)"),
    "groups.report.heading": ("Báo cáo chi ủy", "Report to the committee"),
    "groups.report.send": ("Gửi báo cáo cho chi ủy", "Send the report to the committee"),
    "groups.report.after_close": (
        "Gửi báo cáo sau khi kết thúc sinh hoạt tổ; nội dung lấy từ biên bản của tổ.",
        "Send the report once the group meeting has closed; it is taken from the minutes.",
    ),
    "groups.report.status.upcoming": ("Chưa đến ngày họp tổ.", "The group has not met yet."),
    "groups.report.status.due": (
        "Chưa gửi; hạn chậm nhất ngày {due}.",
        "Not sent yet; due by {due}.",
    ),
    "groups.report.status.overdue": (
        "Quá hạn: phải gửi chậm nhất ngày {due}.",
        "Overdue: it was due by {due}.",
    ),
    "groups.report.status.reported": (
        "Đã gửi ngày {on}, đúng hạn.",
        "Sent on {on}, on time.",
    ),
    "groups.report.status.reported_late": (
        "Đã gửi ngày {on}: MUỘN (hạn {due}).",
        "Sent on {on}: LATE (due by {due}).",
    ),
    "groups.report.late": ("Gửi muộn", "Late"),
    # the committee's page
    "groups.page.title": ("Sinh hoạt chi bộ theo tổ đảng", "A cell meeting held by party groups"),
    "groups.page.meeting": ("Cuộc sinh hoạt: {title}, ngày {date}", "Meeting: {title}, on {date}"),
    "groups.page.not_group": (
        "Cuộc họp này không tổ chức theo hình thức sinh hoạt tổ đảng.",
        "This meeting is not held by party groups.",
    ),
    "groups.step.assign": ("1. Nội dung và phân công", "1. Content and assignments"),
    "groups.step.reports": ("2. Báo cáo của các tổ", "2. The groups' reports"),
    "groups.step.consolidate": (
        "3. Tổng hợp và thông qua nghị quyết của chi bộ",
        "3. Consolidation and the cell's resolution",
    ),
    "groups.content.items": (
        "Nội dung sinh hoạt (mỗi dòng một nội dung)",
        "Content to discuss (one per line)",
    ),
    "groups.content.draft": (
        "Dự thảo nghị quyết (kết luận) để các tổ biểu quyết",
        "The draft resolution (conclusion) the groups vote on",
    ),
    "groups.content.current": ("Nội dung các tổ sinh hoạt", "What the groups discuss"),
    "groups.assign.committee_meeting": (
        "Cuộc họp chi ủy chuẩn bị",
        "The committee's preparatory meeting",
    ),
    "groups.assign.leader": ("Tổ trưởng", "Group leader"),
    "groups.assign.member": ("Chi ủy viên dự", "Committee member attending"),
    "groups.assign.when": ("Thời gian họp tổ", "When the group meets"),
    "groups.assign.place": ("Địa điểm", "Place"),
    "groups.assign.pick": ("— chọn —", "— pick —"),
    "groups.assign.save": ("Lưu nội dung và phân công", "Save the content and assignments"),
    "groups.assign.saved": (
        "Đã phân công {count} tổ; mỗi tổ trưởng thấy cuộc sinh hoạt của tổ trên trang chủ.",
        "{count} groups assigned; each leader sees the group meeting on the home page.",
    ),
    "groups.assign.no_groups": (
        "Chi bộ chưa có tổ đảng trong danh sách đảng viên (trang Danh sách đảng viên).",
        "The cell has no party groups in its roster (the roster page).",
    ),
    "groups.assign.no_committee_meeting": (
        "Chưa có cuộc họp chi ủy chuẩn bị: hãy lên lịch một cuộc họp chi ủy trước.",
        "No committee meeting to prepare this: schedule a committee meeting first.",
    ),
    "groups.assign.missing_draft": (
        "Hãy ghi dự thảo nghị quyết (kết luận) để các tổ biểu quyết.",
        "Write the draft resolution (conclusion) the groups vote on.",
    ),
    "groups.assign.missing_leader": ("{group}: hãy chọn tổ trưởng.", "{group}: pick the leader."),
    "groups.assign.missing_member": (
        "{group}: hãy chọn chi ủy viên dự sinh hoạt với tổ.",
        "{group}: pick the committee member who attends.",
    ),
    "groups.assign.missing_when": (
        "{group}: hãy chọn ngày giờ họp tổ.",
        "{group}: pick when the group meets.",
    ),
    "groups.assign.row": (
        "{group}: tổ trưởng {leader}; chi ủy viên dự {member}; họp ngày {date}.",
        "{group}: leader {leader}; committee member {member}; meets on {date}.",
    ),
    "groups.assign.invited": (
        "Tổ trưởng không phải chi ủy viên: được mời dự họp chi ủy.",
        "The leader is not on the committee: invited to the committee's meeting.",
    ),
    "groups.reports.who": (
        "Tổ trưởng {leader}; chi ủy viên dự {member}; họp ngày {date}.",
        "Leader {leader}; committee member {member}; met on {date}.",
    ),
    "groups.reports.refresh": ("Tải lại", "Reload"),
    "groups.reports.not_yet": ("Chưa có báo cáo.", "No report yet."),
    "groups.reports.present": ("Có mặt {present} đồng chí.", "{present} present."),
    "groups.reports.differing": ("Ý kiến khác", "Differing opinions"),
    "groups.reports.reserved": ("Ý kiến bảo lưu", "Reserved opinions"),
    "groups.reports.none": ("Không có.", "None."),
    "groups.reports.opinion": ("{speaker} ({item}): {text}", "{speaker} ({item}): {text}"),
    "groups.consolidate.button": ("Tổng hợp kết quả các tổ", "Consolidate the groups' results"),
    "groups.consolidate.attendance": (
        "Tổng số có mặt ở các tổ: {present}/{members} đảng viên.",
        "Present across the groups: {present} of {members} members.",
    ),
    "groups.resolution.text": (
        "Nghị quyết (kết luận) của chi bộ",
        "The cell's resolution (conclusion)",
    ),
    "groups.resolution.adopt": (
        "Thông qua nghị quyết và ghi vào biên bản chi bộ",
        "Adopt the resolution into the cell's minutes",
    ),
    "groups.resolution.missing": (
        "Hãy ghi nội dung nghị quyết (kết luận) của chi bộ.",
        "Write the cell's resolution (conclusion).",
    ),
    "groups.resolution.not_passed": (
        "Dự thảo chưa được quá nửa số đảng viên chính thức được tính tán thành (A3): chưa thể "
        "thông qua.",
        "The draft lacks approval by more than half of the counted full members (A3): it "
        "cannot be adopted.",
    ),
    "groups.resolution.minutes_note": (
        "Nghị quyết của chi bộ (biểu quyết qua các tổ đảng): {text}",
        "The cell's resolution (voted through the party groups): {text}",
    ),
    "groups.resolution.adopted": (
        "Nghị quyết đã được ghi vào biên bản chi bộ và biên bản đã được thông qua.",
        "The resolution is in the cell's minutes, and the minutes are adopted.",
    ),
    # the home page
    "groups.home.console": ("Điều hành sinh hoạt tổ", "Conduct the group meeting"),
    "groups.home.committee": ("Phân công, báo cáo các tổ", "Groups: assignments and reports"),
    "groups.home.attending": (
        "{group} · Đồng chí được chi ủy phân công dự",
        "{group} · You attend for the cell committee",
    ),
    "groups.home.report_owed": (
        "Báo cáo của tổ chưa gửi chi ủy (GM3)",
        "The group's report is not yet sent to the cell committee (GM3)",
    ),
}
