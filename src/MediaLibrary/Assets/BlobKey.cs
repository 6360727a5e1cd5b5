namespace MediaLibrary.Assets;

/// Storage keys are relative paths like `2026/03/14/<uuid>.jpg`. Anything that could leave the
/// storage root or confuse a file system or an object store is refused before storage is touched.
public static class BlobKey
{
    public const int MaxLength = 512;

    public static bool IsValid(string? key) => Problem(key) is null;

    /// Why a key is refused, or null when it is acceptable.
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "must not be empty";
        }

        if (key.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~' or '+' or '@' or '=' or ','))
            {
                return c < 0x20 || c == 0x7F ? "must not contain control characters" : $"must not contain '{c}'";
            }
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "must be a relative path without empty segments";
            }

            if (segment[0] == '.')
            {
                return "must not have segments that start with '.'";
            }

            if (segment.Length > 255)
            {
                return "must not have segments longer than 255 characters";
            }
        }

        return null;
    }
}
