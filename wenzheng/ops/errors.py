"""Errors that mean the server, not the request, is not ready: something the
administrator must install or configure. They are answered with a 503 page that says
in Chinese what is missing and who can fix it, and logged in English, never a 500
with a traceback."""


class ServerNotReady(RuntimeError):
    #: For the person at the browser: what is missing, and who can fix it.
    user_message = "服务器缺少必要的组件，暂时无法完成此操作。请联系系统管理员。"
    #: For the log: what to install or configure.
    log_message = "The server is missing something it needs."

    def __str__(self):
        return self.log_message
