namespace Manta.Server.Hosting;

/// <summary>What <c>manta serve</c> adds to <see cref="MantaHost.Build(string[], MantaHostOptions?, Action{Microsoft.Extensions.DependencyInjection.IServiceCollection}?)"/> beyond configuration overrides.</summary>
/// <param name="ConfigFile">A JSON configuration file read after appsettings.json (<c>--config FILE</c>); it must exist.</param>
/// <param name="DataDirectory">Sets <c>Manta:DataDirectory</c> (<c>--data-dir DIR</c>), above every other source.</param>
/// <param name="JsonLogs">Console logs as JSON lines (<c>--log-format json</c>) instead of the human-readable format.</param>
public sealed record MantaHostOptions(string? ConfigFile = null, string? DataDirectory = null, bool JsonLogs = false);
