using System.Net;
using System.Text.Json;

namespace MediaLibrary.Tests.Infrastructure;

public static class HttpAssertions
{
    /// Asserts the Livingdocs envelope `{status, error, error_details}` and returns `error_details`.
    public static async Task<JsonElement> AssertEnvelopeAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal((int)expected, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("error").GetString()));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("error_details").ValueKind);
        return root.GetProperty("error_details").Clone();
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
