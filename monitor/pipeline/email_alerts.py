"""Send one alert by e-mail: render it from the stored alert, then submit it over SMTP.

Queued, claimed, ordered and retried like every delivery (``deliver``): the ``email`` channel
carries these and the digests, in the order they were queued.
"""

from __future__ import annotations

from monitor.config import EmailSettings
from monitor.notify.alert_email import render_alert_email
from monitor.notify.delivery import DeliveryOutcome
from monitor.notify.email import SmtpParams, build_digest_message, send_email
from monitor.notify.message import AlertMessage


def compute_smtp_params(email: EmailSettings) -> SmtpParams:
    return SmtpParams(
        host=email.smtp_host, port=email.smtp_port, starttls=email.starttls,
        use_tls=email.use_tls, username=email.username,
        password=email.password.get_secret_value() if email.password else None,
        timeout=email.timeout.total_seconds(),
    )


async def send_alert_email(email: EmailSettings, alert: AlertMessage, dashboard_url: str,
                           timezone: str) -> DeliveryOutcome:
    """Render the alert as it stands now (an escalation shows its current figures) and send
    it to ``alert_recipients``, else ``recipients``."""
    subject, html, text = render_alert_email(alert, dashboard_url, timezone)
    message = build_digest_message(subject, html, text, email.sender,
                                   email.alert_recipients or email.recipients)
    return await send_email(message, compute_smtp_params(email))
