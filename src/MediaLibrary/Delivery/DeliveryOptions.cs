namespace MediaLibrary.Delivery;

/// `MediaLibrary:Delivery`: serve-image answers.
public sealed class DeliveryOptions
{
    /// Cache-Control of servable images; revoked and invalid ones always get `no-store`.
    public string CacheControl { get; set; } = "public, max-age=300";

    /// Keys of signed serve-image URLs (SPEC §11): the first signs, all verify, so keys rotate without downtime.
    public List<SigningKey> SigningKeys { get; set; } = [];
}
