"""Translation table part: conduct. Keys are 'conduct.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "conduct.not_found.meeting": ("Không tìm thấy cuộc họp.", "Meeting not found."),
    "conduct.not_found.item": (
        "Không tìm thấy nội dung này trong chương trình cuộc họp.",
        "This item is not on the meeting's agenda.",
    ),
    "conduct.not_found.vote": (
        "Không tìm thấy cuộc biểu quyết này trong cuộc họp.",
        "No such vote in this meeting.",
    ),
    "conduct.not_found.document": (
        "Không tìm thấy tài liệu này của cuộc họp.",
        "No such document in this meeting.",
    ),
    "conduct.not_found.minutes": (
        "Chưa có biên bản của cuộc họp này; hãy lập biên bản trước.",
        "This meeting has no minutes yet; generate them first.",
    ),
    "conduct.not_found.group_meeting": (
        "Đây không phải cuộc sinh hoạt tổ đảng đã được chi ủy phân công.",
        "This is not a party-group meeting assigned by the cell committee.",
    ),
    "conduct.meeting.not_open": (
        "Cuộc họp chưa bắt đầu hoặc đã kết thúc (trạng thái: {status}).",
        "The meeting is not in session (status: {status}).",
    ),
    "conduct.meeting.finished": (
        "Cuộc họp đã kết thúc hoặc bị hủy (trạng thái: {status}).",
        "The meeting is over or cancelled (status: {status}).",
    ),
    "conduct.meeting.not_scheduled": (
        "Chỉ phân công tổ đảng khi cuộc họp chưa bắt đầu (trạng thái: {status}).",
        "Groups are assigned only before the meeting starts (status: {status}).",
    ),
    "conduct.meeting.wrong_state": (
        "Thao tác không phù hợp với trạng thái cuộc họp ({status}).",
        "Not possible in the meeting's current state ({status}).",
    ),
    "conduct.attendance.unknown_members": (
        "Không phải đảng viên được mời dự cuộc họp này: {ids}.",
        "Not members invited to this meeting: {ids}.",
    ),
    "conduct.attendance.not_invited": (
        "Đồng chí không thuộc danh sách đảng viên của cuộc họp này.",
        "You are not among the members of this meeting.",
    ),
    "conduct.attendance.bad_code": (
        "Mã điểm danh không đúng hoặc đã hết hạn. Hãy quét mã mới trên màn hình hội trường.",
        "The check-in code is wrong or has expired. Scan the new code on the hall's screen.",
    ),
    "conduct.attendance.present_not_absent": (
        "Đảng viên {member} đang có mặt tại hội trường, không thể ghi vắng.",
        "Member {member} is checked in to the hall and cannot be marked absent.",
    ),
    "conduct.attendance.checked_in": (
        "Đã điểm danh tại hội trường.",
        "Checked in to the hall.",
    ),
    "conduct.item.not_planned": (
        "Nội dung này không ở trạng thái chờ (trạng thái: {status}).",
        "This item is not waiting to be opened (status: {status}).",
    ),
    "conduct.item.another_open": (
        "Đang có một nội dung khác được thảo luận; hãy kết thúc nội dung đó trước.",
        "Another item is open; close it first.",
    ),
    "conduct.item.not_open": (
        "Nội dung này không đang được thảo luận (trạng thái: {status}).",
        "This item is not open (status: {status}).",
    ),
    "conduct.item.not_suspected": (
        "Nội dung này không cần xác nhận (kết quả kiểm tra: {outcome}).",
        "This item needs no confirmation (gate: {outcome}).",
    ),
    "conduct.item.not_discussed": (
        "Chỉ ghi ý kiến cho nội dung đang hoặc đã thảo luận (trạng thái: {status}).",
        "Opinions are recorded only on an open or finished item (status: {status}).",
    ),
    "conduct.item.deferred": (
        "Không mở được nội dung này; đã chuyển sang danh sách sinh hoạt trực tiếp toàn chi bộ "
        "lần tới. {reason_vi}",
        "This item cannot be opened; it has been moved to the list for the next in-person "
        "meeting of the whole cell. {reason_en}",
    ),
    "conduct.note.no_speaker": (
        "Cần ghi tên người phát biểu.",
        "The speaker must be named.",
    ),
    "conduct.vote.secret_on_paper": (
        "Bỏ phiếu kín được tiến hành bằng phiếu giấy tại cuộc họp trực tiếp; ứng dụng chỉ ghi "
        "biểu quyết công khai.",
        "Secret ballots are held on paper in person; the application records open votes only.",
    ),
    "conduct.vote.item_not_open": (
        "Chỉ biểu quyết về nội dung đang thảo luận (trạng thái: {status}).",
        "Votes are taken only on the open item (status: {status}).",
    ),
    "conduct.vote.another_open": (
        "Đang có một cuộc biểu quyết chưa kết thúc.",
        "Another vote is still open.",
    ),
    "conduct.vote.closed": ("Cuộc biểu quyết đã kết thúc.", "The vote is closed."),
    "conduct.vote.not_member": (
        "Chỉ đảng viên chính thức của chi bộ có mặt mới được biểu quyết; đại biểu dự và người "
        "không phải đảng viên của chi bộ không biểu quyết (A4).",
        "Only full members of the cell who are present vote; observers and non-members do not "
        "vote (A4).",
    ),
    "conduct.vote.not_full": (
        "Đảng viên dự bị, đảng viên sinh hoạt tạm thời hoặc bị đình chỉ sinh hoạt không biểu "
        "quyết (A4).",
        "Probationary, temporarily attached and suspended members do not vote (A4).",
    ),
    "conduct.vote.not_present": (
        "Đồng chí chưa có mặt trong cuộc họp nên chưa thể biểu quyết (A1, A4).",
        "You are not present in the meeting, so you cannot vote (A1, A4).",
    ),
    "conduct.vote.in_room": (
        "Đồng chí đã điểm danh tại hội trường: biểu quyết bằng giơ tay tại hội trường, không "
        "biểu quyết trực tuyến, để không bị tính hai lần (A1).",
        "You are checked in to the hall: vote by show of hands there, not online, so that you "
        "are not counted twice (A1).",
    ),
    "conduct.vote.hall_too_many": (
        "Số biểu quyết tại hội trường ({counted}) vượt quá số đảng viên chính thức đã điểm danh "
        "tại hội trường và chưa biểu quyết trực tuyến ({room}) (A1, A4).",
        "The hall's count ({counted}) exceeds the full members checked in to the hall who have "
        "not voted online ({room}) (A1, A4).",
    ),
    "conduct.document.bad_name": (
        "Tên tệp không hợp lệ (chỉ gồm chữ, số, dấu cách và . _ - ( ), tối đa 255 ký tự).",
        "Invalid file name (letters, digits, spaces and . _ - ( ) only, at most 255).",
    ),
    "conduct.document.empty": ("Tệp tài liệu rỗng.", "The document is empty."),
    "conduct.document.media_type": (
        "Loại tệp không được chấp nhận; cho phép: {allowed}.",
        "File type not accepted; allowed: {allowed}.",
    ),
    "conduct.document.already_published": (
        "Tài liệu đã được gửi tới đảng viên.",
        "The document is already published to members.",
    ),
    "conduct.document.not_published": (
        "Tài liệu chưa được gửi tới đảng viên.",
        "The document is not published yet.",
    ),
    "conduct.minutes.adopted": (
        "Biên bản đã được thông qua và không thể sửa đổi.",
        "The minutes have been adopted and can no longer change.",
    ),
    "conduct.group.not_group_meeting": (
        "Chỉ phân công tổ đảng cho cuộc sinh hoạt chi bộ theo hình thức tổ đảng.",
        "Groups are assigned only for a cell meeting held by party groups.",
    ),
    "conduct.group.bad_committee_meeting": (
        "Cuộc họp chi ủy không hợp lệ: phải là cuộc họp chi ủy của chính chi bộ này.",
        "Invalid committee meeting: it must be this cell's committee meeting.",
    ),
    "conduct.group.not_a_group": (
        "Tổ chức {group} không phải là tổ đảng của chi bộ này.",
        "Organisation {group} is not a party group of this cell.",
    ),
    "conduct.group.already_assigned": (
        "{group} đã được phân công cho cuộc họp này.",
        "{group} is already assigned for this meeting.",
    ),
    "conduct.group.bad_leader": (
        "Tổ trưởng của {group} phải là đảng viên của tổ.",
        "The leader of {group} must be a member of the group.",
    ),
    "conduct.group.bad_committee_member": (
        "Người được phân công dự sinh hoạt {group} phải là chi ủy viên.",
        "The member assigned to {group} must sit on the cell committee.",
    ),
    "conduct.group.already_reported": (
        "Tổ đã báo cáo kết quả sinh hoạt cho chi ủy.",
        "The group has already reported to the committee.",
    ),
    "conduct.group.not_closed": (
        "Tổ chỉ báo cáo sau khi kết thúc cuộc sinh hoạt (trạng thái: {status}).",
        "The group reports after its meeting has closed (status: {status}).",
    ),
    "conduct.group.none_assigned": (
        "Chưa có tổ đảng nào được phân công.",
        "No party group has been assigned.",
    ),
    "conduct.group.not_all_reported": (
        "Chưa thể tổng hợp: các tổ sau chưa báo cáo kết quả sinh hoạt: {groups} (GM3).",
        "Cannot consolidate: these groups have not reported yet: {groups} (GM3).",
    ),
    "conduct.chat.empty": ("Tin nhắn trống.", "The message is empty."),
    "conduct.chat.too_long": (
        "Tin nhắn quá dài: tối đa {limit} ký tự.",
        "The message is too long: at most {limit} characters.",
    ),
    "conduct.chat.control": (
        "Tin nhắn có ký tự điều khiển (xuống dòng, ký tự ẩn hoặc đảo chiều văn bản), không được "
        "phép. Hãy viết trên một dòng.",
        "The message holds a control character (a line break, a hidden or text-reversing "
        "character), which is not allowed. Write it on one line.",
    ),
    "conduct.chat.closed": (
        "Cuộc họp đã kết thúc: không gửi tin nhắn được nữa.",
        "The meeting has ended: messages can no longer be sent.",
    ),
    "conduct.present.not_pdf": (
        "Chỉ trình chiếu được tài liệu PDF.",
        "Only PDF documents can be presented.",
    ),
    "conduct.present.no_page": (
        "Tài liệu không có trang {page} (có {pages} trang).",
        "The document has no page {page} (it has {pages}).",
    ),
    "conduct.present.unreadable": (
        "Không đọc được tệp PDF này để trình chiếu.",
        "This PDF file cannot be read for presenting.",
    ),
}
