using Manta.Server.Cli;

// `manta [serve] [--config FILE] [--data-dir DIR] [--log-format console|json] [--Manta:Section:Key=value ...]`,
// `manta pub`, `manta sub`, `manta cert dev`, `manta --version`, `manta --help`: see Cli/.
return await MantaCommandLine.RunAsync(args);
