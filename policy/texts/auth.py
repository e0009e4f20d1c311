"""Translation table part: auth. Keys are 'auth.*' unless shared; values are (vi, en)."""

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # wire error codes added by identity and access (policy.error_codes.ErrorCode)
    "error.bad_credentials": (
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    "error.bad_second_factor": (
        "Mã xác thực không đúng hoặc đã được dùng.",
        "The verification code is wrong or has already been used.",
    ),
    "error.passkey_rejected": (
        "Khóa truy cập (passkey) không được chấp nhận.",
        "The passkey was not accepted.",
    ),
    "error.invitation_invalid": (
        "Liên kết mời không hợp lệ, đã hết hạn hoặc đã được dùng.",
        "The invitation link is not valid, has expired or has already been used.",
    ),
    "error.step_up_required": (
        "Vui lòng xác thực lại bằng yếu tố thứ hai trước khi tiếp tục.",
        "Confirm your second factor again before continuing.",
    ),
    # refusals
    "auth.locked": (
        "Tài khoản tạm khóa do nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút"
        " ({seconds} giây).",
        "Temporarily locked after repeated failures. Try again in {minutes} minutes"
        " ({seconds} seconds).",
    ),
    "auth.slow_down": (
        "Bạn đã nhập sai nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "Several failed attempts. Try again in {seconds} seconds.",
    ),
    "auth.password_too_short": (
        "Mật khẩu mới phải có ít nhất 12 ký tự.",
        "The new password must have at least 12 characters.",
    ),
    "auth.last_factor": (
        "Không thể xóa yếu tố xác thực cuối cùng.",
        "The last second factor cannot be removed.",
    ),
    "auth.invitation_other_member": (
        "Liên kết mời này dành cho một người khác.",
        "This invitation is for someone else.",
    ),
    "auth.not_an_observer": (
        "Không mời được: tài khoản này chưa được cấp ủy cấp trên phân công dự sinh hoạt chi bộ"
        " (vai trò giám sát). Hãy kiểm tra tên đăng nhập.",
        "Cannot invite: this account has not been assigned by the superior committee to attend"
        " the cell's meetings (observer role). Check the username.",
    ),
    "auth.member_not_in_meeting": (
        "Đảng viên này không thuộc tổ chức của cuộc họp.",
        "This member does not belong to the meeting's organisation.",
    ),
    # pages
    "auth.lang_switch": ("English", "Tiếng Việt"),
    "auth.title": ("Đăng nhập", "Sign in"),
    "auth.username": ("Tên đăng nhập", "Username"),
    "auth.password": ("Mật khẩu", "Password"),
    "auth.submit": ("Đăng nhập", "Sign in"),
    "auth.or": ("hoặc", "or"),
    "auth.passkey_signin": ("Đăng nhập bằng khóa truy cập (passkey)", "Sign in with a passkey"),
    "auth.second_factor": ("Xác thực yếu tố thứ hai", "Second factor"),
    "auth.totp_prompt": (
        "Nhập mã 6 chữ số trong ứng dụng xác thực.",
        "Enter the 6-digit code from your authenticator app.",
    ),
    "auth.totp_code": ("Mã xác thực", "Verification code"),
    "auth.verify": ("Xác nhận", "Verify"),
    "auth.use_recovery": ("Dùng mã khôi phục", "Use a recovery code"),
    "auth.recovery_code": ("Mã khôi phục", "Recovery code"),
    "auth.use_passkey": ("Dùng khóa truy cập", "Use a passkey"),
    "auth.enrol_title": ("Đăng ký yếu tố xác thực thứ hai", "Set up a second factor"),
    "auth.enrol_required": (
        "Tài khoản của đồng chí chưa có yếu tố xác thực thứ hai. Hãy đăng ký ngay để tiếp tục.",
        "Your account has no second factor yet. Set one up to continue.",
    ),
    "auth.enrol_totp_start": (
        "Đăng ký ứng dụng xác thực (TOTP)",
        "Set up an authenticator app (TOTP)",
    ),
    "auth.enrol_totp_help": (
        "Quét mã QR bằng ứng dụng xác thực, rồi nhập mã 6 chữ số để xác nhận.",
        "Scan the QR code with your authenticator app, then enter the 6-digit code.",
    ),
    "auth.totp_manual": ("Hoặc nhập thủ công:", "Or enter manually:"),
    "auth.totp_enrolled": ("Đã đăng ký ứng dụng xác thực.", "Authenticator app set up."),
    "auth.enrol_passkey": ("Đăng ký khóa truy cập (passkey)", "Register a passkey"),
    "auth.passkey_name": ("Tên thiết bị", "Device name"),
    "auth.passkey_added": ("Đã đăng ký khóa truy cập.", "Passkey registered."),
    "auth.passkeys_title": ("Khóa truy cập đã đăng ký", "Registered passkeys"),
    "auth.passkey_unsupported": (
        "Trình duyệt này không hỗ trợ khóa truy cập.",
        "This browser does not support passkeys.",
    ),
    "auth.remove": ("Xóa", "Remove"),
    "auth.recovery_title": ("Mã khôi phục", "Recovery codes"),
    "auth.recovery_help": (
        "Mỗi mã chỉ dùng được một lần khi mất thiết bị xác thực. Hãy lưu ở nơi an toàn;"
        " mã sẽ không hiển thị lại.",
        "Each code works once if you lose your authenticator. Keep them safe;"
        " they will not be shown again.",
    ),
    "auth.recovery_generate": ("Tạo bộ mã khôi phục mới", "Generate new recovery codes"),
    "auth.recovery_left": ("Còn {count} mã chưa dùng.", "{count} codes left."),
    "auth.password_title": ("Đổi mật khẩu", "Change password"),
    "auth.current_password": ("Mật khẩu hiện tại", "Current password"),
    "auth.new_password": (
        "Mật khẩu mới (ít nhất 12 ký tự)",
        "New password (12 characters or more)",
    ),
    "auth.change": ("Đổi mật khẩu", "Change password"),
    "auth.password_changed": (
        "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.",
        "Password changed. Your other sessions were signed out.",
    ),
    "auth.signout": ("Đăng xuất", "Sign out"),
    "auth.signout_all": ("Đăng xuất trên mọi thiết bị", "Sign out everywhere"),
    "auth.account_title": ("Tài khoản và bảo mật", "Account and security"),
    "auth.signed_in_as": ("Đang đăng nhập: {name}", "Signed in as {name}"),
    "auth.invite_notice": (
        "Đồng chí mở liên kết mời họp. Hãy đăng nhập (mật khẩu và yếu tố thứ hai) để vào họp.",
        "You opened a meeting invitation. Sign in (password and second factor) to join.",
    ),
    "auth.done": ("Đã xác nhận. Hãy thực hiện lại thao tác.", "Confirmed. Please try again."),
    "auth.error_generic": ("Có lỗi xảy ra, vui lòng thử lại.", "Something went wrong, try again."),
}
