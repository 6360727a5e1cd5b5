using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MediaLibrary.Api;

namespace MediaLibrary.Events;

/// The body of a delivery. An event's body is a function of the event and the webhook (its
/// `deliveryId` too, see <see cref="DeliveryId"/>): a process that sends it again after another
/// died sends the same bytes, and a retry row stores them.
internal static class WebhookPayload
{
    public static string ForEvent(string webhookHandle, EventRow e, out string deliveryId)
    {
        deliveryId = DeliveryId(webhookHandle, e.Position);
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

            if (EventEndpoints.KeysOf(e) is { } keys)
            {
                json.WriteStartArray("keys");
                foreach (var key in keys)
                {
                    json.WriteStringValue(key);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// `x-livingdocs-signature`: the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the secret.
    public static string Signature(byte[] secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// A random id, for deliveries that are not an event's (import-job callbacks).
    public static string NewDeliveryId() => "dlv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// The id of an event's delivery to a webhook: the event id (16 hex digits) and a hash of the
    /// handle (8), so that a delivery without a row of its own (delivered at the first attempt)
    /// can be found again from its id.
    public static string DeliveryId(string webhookHandle, long eventId) =>
        $"dlv_{eventId:x16}{HandleHash(webhookHandle)}";

    /// The event id and handle hash of an event's delivery id; false for any other text.
    public static bool TryParseDeliveryId(string deliveryId, out long eventId, out string handleHash)
    {
        eventId = 0;
        handleHash = "";
        if (deliveryId.Length != 28 || !deliveryId.StartsWith("dlv_", StringComparison.Ordinal) ||
            !long.TryParse(deliveryId.AsSpan(4, 16), System.Globalization.NumberStyles.AllowHexSpecifier, null, out eventId) || eventId <= 0)
        {
            return false;
        }

        handleHash = deliveryId[20..];
        return handleHash.All(char.IsAsciiHexDigitLower);
    }

    public static string HandleHash(string webhookHandle) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(webhookHandle)), 0, 4);
}
