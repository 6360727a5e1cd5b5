using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MediaLibrary.References;

/// Opaque page cursor: the last source id of a page plus a check field bound to the list it came
/// from, base64url-encoded. A cursor that was not made by us for this list does not decode.
public static class Cursor
{
    private const int CheckBytes = 8;

    public static string Encode(string list, string mediaId, string lastSourceId)
    {
        var id = Encoding.UTF8.GetBytes(lastSourceId);
        return Base64Url.EncodeToString([.. id, .. Check(list, mediaId, lastSourceId)]);
    }

    /// `maxLength`: the longest cursor this list makes (a source id is short; a search cursor carries a snapshot).
    public static bool TryDecode(string cursor, string list, string mediaId, out string lastSourceId, int maxLength = 256)
    {
        lastSourceId = "";
        if (cursor.Length == 0 || cursor.Length > maxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length <= CheckBytes)
        {
            return false;
        }

        string id;
        try
        {
            id = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, bytes.Length - CheckBytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(bytes.AsSpan(bytes.Length - CheckBytes), Check(list, mediaId, id)))
        {
            return false;
        }

        lastSourceId = id;
        return true;
    }

    private static byte[] Check(string list, string mediaId, string lastSourceId) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"medialibrary-cursor\n{list}\n{mediaId}\n{lastSourceId}"))[..CheckBytes];
}
