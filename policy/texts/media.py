"""Translation table part: media. Keys are 'media.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # details of error.bad_message (signaling/codec.py, signaling/protocol.py)
    "media.detail.not_json": ("không phải JSON hợp lệ", "not valid JSON"),
    "media.detail.not_utf8": ("không phải văn bản UTF-8 hợp lệ", "not valid UTF-8 text"),
    "media.detail.not_utf8_field": (
        "trường {field} chứa ký tự không hợp lệ",
        "field {field} contains invalid characters",
    ),
    "media.detail.duplicate_key": ("khoá {name} bị lặp", "the key {name} is repeated"),
    "media.detail.not_object": (
        "thông điệp phải là một đối tượng JSON",
        "a message must be a JSON object",
    ),
    "media.detail.unknown_type": ("không có loại thông điệp {type}", "no message type {type}"),
    "media.detail.missing_field": ("thiếu trường {field}", "missing field {field}"),
    "media.detail.extra_field": ("trường {field} không được phép", "field {field} is not allowed"),
    "media.detail.wrong_type": (
        "trường {field} sai kiểu (cần {expected})",
        "field {field} has the wrong type (expected {expected})",
    ),
    "media.detail.bad_value": (
        "giá trị của trường {field} không hợp lệ",
        "field {field} has an invalid value",
    ),
    "media.detail.bad_text": (
        "trường {field} phải có đúng hai khoá vi và en",
        "field {field} must have exactly the keys vi and en",
    ),
    "media.detail.bad_id": (
        "mã định danh trong trường {field} không hợp lệ",
        "field {field} is not a valid identifier",
    ),
    "media.detail.too_long": (
        "trường {field} quá dài (tối đa {limit})",
        "field {field} is too long (at most {limit})",
    ),
    "media.detail.too_short": (
        "trường {field} quá ngắn (tối thiểu {limit})",
        "field {field} is too short (at least {limit})",
    ),
    "media.detail.too_many": (
        "trường {field} có quá nhiều phần tử (tối đa {limit})",
        "field {field} has too many items (at most {limit})",
    ),
    "media.detail.out_of_range": (
        "trường {field} phải nằm trong khoảng {lo}–{hi}",
        "field {field} must be between {lo} and {hi}",
    ),
    # details of error.out_of_turn (signaling/room.py)
    "media.turn.not_joined": (
        "bạn chưa tham gia cuộc họp",
        "you have not joined the meeting",
    ),
    "media.turn.already_joined": (
        "kết nối này đã tham gia cuộc họp",
        "this connection has already joined the meeting",
    ),
    "media.turn.in_lobby": (
        "bạn đang ở phòng chờ, chờ chủ trì cho vào",
        "you are in the lobby, waiting for the chair to admit you",
    ),
    "media.turn.not_waiting": (
        "{participant} không ở phòng chờ",
        "{participant} is not in the lobby",
    ),
    "media.turn.nobody_waiting": (
        "không có ai đang chờ để cho vào (người đã bị từ chối hoặc mời ra phải cho vào từng người)",
        "nobody is waiting to be admitted (those denied or removed are admitted one by one)",
    ),
    "media.turn.not_admitted": (
        "{participant} chưa được vào cuộc họp",
        "{participant} has not been admitted",
    ),
    "media.turn.not_self": (
        "không thể thực hiện thao tác này với chính mình",
        "you cannot do this to yourself",
    ),
    "media.turn.not_connected": (
        "{participant} không kết nối trực tuyến",
        "{participant} is not connected online",
    ),
    "media.turn.no_checkin": (
        "{member} chưa được điểm danh tại hội trường",
        "{member} has not been checked in at the hall",
    ),
    "media.turn.not_a_member": (
        "chỉ đảng viên của chi bộ mới được điểm danh",
        "only members of the cell can be checked in",
    ),
    # fillers of error.not_found
    "media.what.participant": ("người tham dự {id}", "Participant {id}"),
    "media.what.member": ("đảng viên {id}", "Member {id}"),
    "media.what.meeting": ("cuộc họp {id}", "Meeting {id}"),
    # reasons shown in denied / removed
    "media.denied.default": (
        "Chủ trì chưa cho bạn vào cuộc họp.",
        "The chair did not admit you to the meeting.",
    ),
    "media.denied.reason": (
        "Chủ trì chưa cho bạn vào cuộc họp: {reason}",
        "The chair did not admit you to the meeting: {reason}",
    ),
    "media.removed.default": (
        "Chủ trì đã mời bạn ra khỏi cuộc họp.",
        "The chair removed you from the meeting.",
    ),
    "media.removed.reason": (
        "Chủ trì đã mời bạn ra khỏi cuộc họp: {reason}",
        "The chair removed you from the meeting: {reason}",
    ),
    "media.removed.replaced": (
        "Bạn đã vào cuộc họp từ một kết nối khác; kết nối này được đóng.",
        "You joined the meeting from another connection; this one is closed.",
    ),
}
