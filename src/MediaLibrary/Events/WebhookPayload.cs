using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MediaLibrary.Api;

namespace MediaLibrary.Events;

/// The body of a delivery, written once and stored: every retry sends the same bytes, so the
/// signature and `deliveryId` never change.
internal static class WebhookPayload
{
    public static string ForEvent(string webhookHandle, EventRow e, out string deliveryId)
    {
        deliveryId = NewDeliveryId();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", e.Name);
            json.WriteString("deliveryId", deliveryId);
            json.WriteString("webhookHandle", webhookHandle);
            if (e.MediaId is not null)
            {
                json.WriteString("mediaId", e.MediaId);
            }

            if (e.DocumentId is { } documentId)
            {
                json.WriteNumber("documentId", documentId);
            }

            json.WriteStartObject("actor");
            json.WriteString("type", e.ActorType);
            if (e.ActorName is not null)
            {
                json.WriteString("name", e.ActorName);
            }

            json.WriteEndObject();
            json.WriteNumber("eventId", e.Position);
            json.WriteString("createdAt", AppJson.Format(e.CreatedAt));
            if (e.Version is { } version)
            {
                json.WriteNumber("version", version);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// `x-livingdocs-signature`: the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret.
    public static string Signature(byte[] secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    public static string NewDeliveryId() => "dlv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
