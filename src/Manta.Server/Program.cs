using System.Reflection;
using Manta.Server.Hosting;
using Microsoft.Extensions.Options;

// `manta [serve] [--Manta:Section:Key=value ...]`; the full command line arrives with the CLI issue.
var arguments = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
if (arguments is ["--version"])
{
    await Console.Out.WriteLineAsync(typeof(MantaHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");
    return 0;
}

try
{
    var app = MantaHost.Build(arguments);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    await Console.Error.WriteLineAsync("manta: invalid configuration:");
    foreach (var failure in exception.Failures)
    {
        await Console.Error.WriteLineAsync("  " + failure);
    }

    return 2;
}
catch (IOException exception) when (exception.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
{
    await Console.Error.WriteLineAsync($"manta: cannot listen: {exception.Message} Check Manta:Listeners:N:Address and :Port.");
    return 2;
}
