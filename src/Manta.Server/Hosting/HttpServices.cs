using System.Diagnostics.Metrics;
using System.Net;
using Manta.Broker;
using Manta.Broker.Diagnostics;
using Manta.Server.Configuration;
using Manta.Server.Health;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Manta.Server.Hosting;

/// <summary>The services behind the HTTP port: options, readiness checks, the OpenTelemetry metrics pipeline with its Prometheus exporter.</summary>
public static class HttpServices
{
    // The runtime's own meter (.NET 9+): GC, thread pool, exceptions; cheap and bounded.
    private const string RuntimeMeterName = "System.Runtime";

    /// <summary>Set in the connection items of the HTTP port's connections: the operational endpoints answer only there, not on WebSocket listeners.</summary>
    internal static readonly object HttpPortMarker = new();

    /// <summary>
    /// Registers <see cref="HttpOptions"/> (validated at start-up), the readiness checks and, when
    /// the HTTP port is enabled, OpenTelemetry metrics for the broker's meter exported in the
    /// Prometheus text format (mapped by <see cref="HttpEndpoints.MapMantaHttp"/>).
    /// </summary>
    public static IServiceCollection AddMantaHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HttpOptions>()
            .Bind(configuration.GetSection(HttpOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpOptions>>(sp => new HttpOptionsValidator(sp.GetRequiredService<IOptions<MantaOptions>>().Value.EffectiveListeners));

        services.AddSingleton<IReadinessCheck, HostReadinessCheck>();
        services.AddSingleton<IReadinessCheck, ListenerReadinessCheck>();

        if (!ReadHttpOptions(configuration).Enabled)
        {
            return services;
        }

        // The SDK listens to meters by name, process-wide: another host in the same process (tests
        // run many) has a "Manta.Broker" meter too. Only this container's meter is exported.
        var own = new OwnMeterScope();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(BrokerMetrics.MeterName, RuntimeMeterName)
            .AddInstrumentation(sp =>
            {
                own.Factory = sp.GetService<IMeterFactory>();
                return new BrokerGauges(sp.GetRequiredService<BrokerMetrics>(), sp.GetRequiredService<MqttBroker>());
            })
            .AddView(instrument => instrument.Meter.Name == BrokerMetrics.MeterName && own.Factory is { } factory && !ReferenceEquals(instrument.Meter.Scope, factory)
                ? MetricStreamConfiguration.Drop
                : null)
            .AddPrometheusExporter(prometheus =>
            {
                // The default: scrapes within 300 ms share one collection, so a burst of scrapes
                // cannot make the gauges walk the session registry more often than that.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 300;
            }));
        return services;
    }

    /// <summary>
    /// <c>Manta:Http</c> bound from <paramref name="configuration"/> and validated (for the host,
    /// which needs address and port before the container exists); throws
    /// <see cref="OptionsValidationException"/> naming the bad setting.
    /// </summary>
    public static HttpOptions ReadHttpOptions(IConfiguration configuration)
    {
        var http = new HttpOptions();
        configuration.GetSection(HttpOptions.SectionName).Bind(http);
        var manta = new MantaOptions();
        configuration.GetSection(MantaOptions.SectionName).Bind(manta);
        var validation = new HttpOptionsValidator(manta.EffectiveListeners).Validate(null, http);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(HttpOptions), typeof(HttpOptions), validation.Failures);
        }

        return http;
    }

    /// <summary>
    /// Opens the HTTP port described by <paramref name="http"/> on Kestrel (HTTP/1.1 and HTTP/2
    /// without TLS), marking its connections so that <c>/healthz</c>, <c>/readyz</c> and
    /// <c>/metrics</c> answer there only (not on an MQTT-over-WebSocket port that devices reach);
    /// nothing when disabled.
    /// </summary>
    public static void ListenMantaHttp(this KestrelServerOptions kestrel, HttpOptions http)
    {
        if (!http.Enabled)
        {
            return;
        }

        var address = http.Address switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(http.Address),
        };
        kestrel.Listen(address, http.Port, listen => listen.Use(next => connection =>
        {
            connection.Items[HttpPortMarker] = HttpPortMarker;
            return next(connection);
        }));
    }

    /// <summary>The meter factory of the container whose broker meter is exported (set when the metrics pipeline is built).</summary>
    private sealed class OwnMeterScope
    {
        public volatile IMeterFactory? Factory;
    }

    /// <summary>Connects the broker's observable gauges to the broker when the metrics pipeline starts (OpenTelemetry "instrumentation").</summary>
    private sealed class BrokerGauges
    {
        public BrokerGauges(BrokerMetrics metrics, MqttBroker broker) => metrics.Observe(broker);
    }
}
