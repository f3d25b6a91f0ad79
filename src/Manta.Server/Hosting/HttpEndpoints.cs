using System.Text.Json;
using Manta.Server.Configuration;
using Manta.Server.Health;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace Manta.Server.Hosting;

/// <summary>The HTTP port's operational endpoints: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>.</summary>
public static class HttpEndpoints
{
    /// <summary>
    /// Maps <c>GET /healthz</c> (200 while the process serves HTTP), <c>GET /readyz</c> (200 when
    /// every <see cref="IReadinessCheck"/> is ready, 503 otherwise, with a small JSON body) and
    /// <c>GET /metrics</c> (Prometheus text format). Nothing when <c>Manta:Http:Enabled</c> is false.
    /// Requires <see cref="HttpServices.AddMantaHttp"/>.
    /// </summary>
    public static WebApplication MapMantaHttp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<HttpOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapGet("/healthz", (RequestDelegate)HealthAsync);
        app.MapGet("/readyz", (RequestDelegate)ReadyAsync);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == "/metrics" && OnHttpPort(context));
        return app;
    }

    /// <summary>Whether the request came in on the HTTP port (<see cref="HttpServices.ListenMantaHttp"/>), not on another HTTP-speaking listener.</summary>
    internal static bool OnHttpPort(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(HttpServices.HttpPortMarker) == true;

    private static Task HealthAsync(HttpContext context)
    {
        if (!OnHttpPort(context))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"status\":\"live\"}", context.RequestAborted);
    }

    private static async Task ReadyAsync(HttpContext context)
    {
        if (!OnHttpPort(context))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var checks = context.RequestServices.GetServices<IReadinessCheck>();
        var results = new List<(string Name, ReadinessResult Result)>();
        var ready = true;
        foreach (var check in checks)
        {
            ReadinessResult result;
            try
            {
                result = await check.CheckAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A check that fails is a check that is not ready; the probe itself must answer.
                result = ReadinessResult.Down("check failed: " + exception.GetType().Name);
            }

            ready &= result.Ready;
            results.Add((check.Name, result));
        }

        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";

        // {"status":"ready","checks":{"host":{"ready":true,"detail":"started"},...}}, written by hand: no reflection.
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", ready ? "ready" : "not_ready");
        json.WriteStartObject("checks");
        foreach (var (name, result) in results)
        {
            json.WriteStartObject(name);
            json.WriteBoolean("ready", result.Ready);
            json.WriteString("detail", result.Detail);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
