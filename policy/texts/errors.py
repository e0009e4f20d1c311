"""Translation table part: wire error codes. Key ``error.<code>``; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "error.bad_json": (
        "Nội dung gửi lên không phải JSON hợp lệ.",
        "The request body is not valid JSON.",
    ),
    "error.duplicate_key": (
        "Nội dung gửi lên có khoá bị lặp: {key}.",
        "The request body repeats the key {key}.",
    ),
    "error.validation": ("Dữ liệu không hợp lệ: {detail}", "Invalid data: {detail}"),
    "error.payload_too_large": (
        "Nội dung gửi lên quá lớn (tối đa {limit} byte).",
        "The request body is too large (at most {limit} bytes).",
    ),
    "error.not_found": ("Không tìm thấy {what}.", "{what} not found."),
    "error.route_not_found": ("Không có địa chỉ này.", "No such address."),
    "error.method_not_allowed": ("Phương thức không được phép.", "Method not allowed."),
    "error.conflict": ("Xung đột dữ liệu: {detail}", "Conflict: {detail}"),
    "error.unauthenticated": ("Bạn cần đăng nhập.", "You need to sign in."),
    "error.forbidden": ("Bạn không có quyền thực hiện việc này.", "You may not do this."),
    "error.csrf": (
        "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF).",
        "Missing or wrong anti-forgery (CSRF) token.",
    ),
    "error.origin": ("Nguồn kết nối không được phép.", "Connection origin not allowed."),
    "error.rate_limited": (
        "Quá nhiều lần thử. Vui lòng thử lại sau {seconds} giây.",
        "Too many attempts. Try again in {seconds} seconds.",
    ),
    "error.policy_denied": ("Bị từ chối theo quy định: {reason}", "Refused by the rules: {reason}"),
    "error.unsupported_media_type": (
        "Nội dung phải là JSON (application/json).",
        "The body must be JSON (application/json).",
    ),
    "error.internal": (
        "Lỗi hệ thống. Sự cố đã được ghi lại, vui lòng thử lại.",
        "Server error. It has been logged; please try again.",
    ),
    "error.unavailable": ("Dịch vụ tạm thời không sẵn sàng.", "Service temporarily unavailable."),
    "error.bad_message": ("Thông điệp không hợp lệ: {detail}", "Invalid message: {detail}"),
    "error.message_too_large": (
        "Thông điệp quá lớn (tối đa {limit} byte).",
        "Message too large (at most {limit} bytes).",
    ),
    "error.out_of_turn": (
        "Thao tác không hợp lệ ở trạng thái hiện tại: {detail}",
        "Not allowed in the current state: {detail}",
    ),
    "error.unsupported_version": (
        "Phiên bản giao thức {version} không được hỗ trợ (máy chủ dùng phiên bản {supported}). "
        "Vui lòng tải lại trang hoặc cập nhật ứng dụng.",
        "Protocol version {version} is not supported (the server speaks version {supported}). "
        "Please reload the page or update the app.",
    ),
}
