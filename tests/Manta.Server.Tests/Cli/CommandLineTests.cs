using Manta.Server.Cli;

namespace Manta.Server.Tests.Cli;

/// <summary>The parser alone, in-process: which tokens reach the configuration, what is a usage error.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--Manta:Listeners:0:Port=1884")]
    [InlineData("--Logging:LogLevel:Manta=Debug", "--Manta:Broker:Policy:MaximumQoS", "AtLeastOnce")]
    [InlineData("/Manta:Http:Enabled=false")]
    public void Configuration_overrides_are_accepted(params string[] tokens) => Assert.Null(ServeCommand.FirstNonOverride(tokens));

    [Theory]
    [InlineData("bogus")]
    [InlineData("-x")]
    [InlineData("--Manta:Listeners:0:Port")]
    public void Anything_else_is_refused(params string[] tokens) => Assert.Equal(tokens[0], ServeCommand.FirstNonOverride(tokens));

    [Theory]
    [InlineData]
    [InlineData("serve")]
    public void Serve_options_and_overrides_parse_with_or_without_the_command_name(params string[] prefix)
    {
        var parse = MantaCommandLine.Build().Parse([.. prefix, "--config", "x.json", "--Manta:Listeners:0:Port=1884", "--log-format", "json", "--data-dir", "d"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["--Manta:Listeners:0:Port=1884"], parse.UnmatchedTokens);
    }

    [Fact]
    public void Pub_takes_the_host_as_dash_h_and_repeated_user_properties()
    {
        var parse = MantaCommandLine.Build().Parse(["pub", "-h", "example", "-p", "1884", "-t", "a/b", "-m", "hi", "-q", "1", "-r", "-D", "a=1", "-D", "b=2", "-V", "5"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("example", parse.GetValue<string>("--host"));
        Assert.Equal(["a=1", "b=2"], parse.GetValue<string[]>("--user-property")!);
    }

    [Theory]
    [InlineData("pub", "-t", "a")]
    [InlineData("pub", "-t", "a", "-m", "x", "-q", "3")]
    [InlineData("pub", "-t", "a", "-m", "x", "-D", "novalue")]
    [InlineData("sub")]
    public void Bad_client_arguments_are_parse_errors(params string[] args) => Assert.NotEmpty(MantaCommandLine.Build().Parse(args).Errors);
}
