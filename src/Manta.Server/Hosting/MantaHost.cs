using Manta.Broker;
using Manta.Broker.Authentication;
using Manta.Broker.Diagnostics;
using Manta.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Manta.Server.Hosting;

/// <summary>Builds the Manta host: configuration, options validation, the broker, Kestrel listeners.</summary>
public static class MantaHost
{
    /// <summary>Builds the application for <paramref name="args"/> (configuration overrides such as <c>--Manta:Listeners:0:Port=1884</c>).</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null) =>
        Build(args, host: null, configureServices);

    /// <summary>
    /// Builds the application for <paramref name="args"/> with what <c>manta serve</c> adds (<paramref name="host"/>):
    /// a configuration file after appsettings.json, the data directory (created here), the log format.
    /// </summary>
    public static WebApplication Build(string[] args, MantaHostOptions? host, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (host?.ConfigFile is { } configFile)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        if (host?.DataDirectory is { } dataDirectory)
        {
            builder.Configuration.AddInMemoryCollection([new(MantaOptions.SectionName + ":" + nameof(MantaOptions.DataDirectory), dataDirectory)]);
        }

        if (host?.JsonLogs == true)
        {
            // One JSON object per line on stdout; levels still come from Logging:LogLevel:<Category>.
            builder.Logging.AddJsonConsole(json => json.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false });
        }

        builder.Services.AddOptions<MantaOptions>()
            .Bind(builder.Configuration.GetSection(MantaOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MantaOptions>, MantaOptionsValidator>();
        builder.Services.AddSingleton(sp => new BrokerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddSingleton(sp => new SessionStoreHost(
            sp.GetRequiredService<IOptions<MantaOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddSingleton(sp => new MqttBroker(
            sp.GetRequiredService<IOptions<MantaOptions>>().Value.Broker,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<BrokerMetrics>(),
            sp.GetService<Broker.Extensibility.IAuthenticator>(),
            sp.GetService<Broker.Extensibility.IAuthorizer>(),
            sp.GetServices<Broker.Extensibility.IMessageSink>(),
            retainedStore: null,
            enhancedAuthenticators: sp.GetServices<Broker.Extensibility.IEnhancedAuthenticator>(),
            sessionStore: sp.GetRequiredService<SessionStoreHost>().Store));
        builder.Services.AddHostedService<BrokerService>();
        builder.Services.AddMantaHttp(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        // Bound once here for Kestrel; the validated copy is what the broker uses.
        var options = new MantaOptions();
        builder.Configuration.GetSection(MantaOptions.SectionName).Bind(options);
        var validation = new MantaOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(MantaOptions), typeof(MantaOptions), validation.Failures);
        }

        if (host is not null)
        {
            Directory.CreateDirectory(Path.GetFullPath(options.DataDirectory));
        }

        if (options.Authentication.Scram.Users.Count > 0)
        {
            // Keys are derived when the broker is created at start-up; the store holds no password.
            builder.Services.AddSingleton<Broker.Extensibility.IEnhancedAuthenticator>(sp =>
                new ScramSha256Authenticator(ScramUsers(sp.GetRequiredService<IOptions<MantaOptions>>().Value.Authentication.Scram)));
        }

        // A whole packet must fit in the transport's read buffer, or the reader would wait forever.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxReadBufferSize = Math.Max(1024 * 1024, options.Broker.Policy.MaximumPacketSize + (64 * 1024));
            sockets.UnsafePreferInlineScheduling = options.InlineSocketCompletions;
        });
        var http = HttpServices.ReadHttpOptions(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            ListenerBinder.Bind(kestrel, options);
            kestrel.ListenMantaHttp(http);
        });

        var app = builder.Build();
        app.UseMqttOverWebSockets(options);
        app.MapMantaHttp();
        return app;
    }

    private static ScramCredentialStore ScramUsers(ScramOptions scram)
    {
        var store = new ScramCredentialStore(scram.Iterations);
        foreach (var user in scram.Users)
        {
            store.Add(user.UserName, user.Password, scram.Iterations);
        }

        return store;
    }
}
