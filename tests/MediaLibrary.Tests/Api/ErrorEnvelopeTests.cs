using System.Net;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Api;

/// Adds a path that fails after the service's own pipeline, like a bug deep in a handler would.
public sealed class FailingApp : TestApp
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddSingleton<IStartupFilter, ThrowingStartupFilter>();
}

/// `/test/throw` fails after the service's own pipeline, like a bug deep in a handler would.
public sealed class ThrowingStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((context, nextMiddleware) => context.Request.Path == "/test/throw"
                ? throw new InvalidOperationException("SELECT secret FROM internals -- boom")
                : nextMiddleware(context));
        };
}

public sealed class ErrorEnvelopeTests(FailingApp app) : IClassFixture<FailingApp>
{
    [Theory]
    [InlineData("/api/2026-03/foo", "/api/:apiVersion/foo")]
    [InlineData("/api/v1/mediaLibrary/a/b/c", "/api/:apiVersion/mediaLibrary/a/b/c")]
    [InlineData("/nothing-here", "/nothing-here")]
    public async Task Unknown_route_answers_404_with_the_url(string path, string url)
    {
        var client = await app.ClientAsync(Scopes.Read);
        var details = await (await client.GetAsync(path)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal(url, details.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Wrong_method_answers_405_envelope()
    {
        var client = await app.ClientAsync(Scopes.Read, Scopes.Write);
        var response = await client.DeleteAsync("/healthz");
        var details = await response.AssertEnvelopeAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("MethodNotAllowed", details.GetProperty("name").GetString());
    }

    [Fact]
    [ServerErrorsExpected("the route throws on purpose")]
    public async Task Unhandled_exception_answers_500_with_a_trace_id_and_no_internals()
    {
        var response = await app.CreateClient().GetAsync("/test/throw");
        var body = await response.Content.ReadAsStringAsync();
        var details = await response.AssertEnvelopeAsync(HttpStatusCode.InternalServerError);

        Assert.Equal("An unexpected error occurred.", details.GetProperty("message").GetString());
        Assert.False(string.IsNullOrEmpty(details.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("SELECT", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.Contains(app.Logs, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    [ServerErrorsExpected("checks that the guard sees this test's 500")]
    public async Task A_500_is_charged_to_the_test_that_caused_it()
    {
        Assert.Empty(ServerErrorGuard.ThisTest);
        await app.CreateClient().GetAsync("/test/throw");
        await app.CreateClient().GetAsync("/healthz");

        Assert.Equal(["GET /test/throw"], ServerErrorGuard.ThisTest);
    }
}
