namespace MediaLibrary.Assets;

/// The URL a client reads a stored key from. Delivery decides it (a public base URL, or this
/// server's serve-image, signed when keys are configured); uploads only need to ask.
internal interface IAssetUrls
{
    string For(string key);
}
