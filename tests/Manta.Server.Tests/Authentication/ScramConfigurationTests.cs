using Manta.Server.Configuration;

namespace Manta.Server.Tests.Authentication;

/// <summary>Manta:Authentication:Scram is validated at start-up and each error names its setting.</summary>
public sealed class ScramConfigurationTests
{
    [Fact]
    public void Defaults_are_valid_and_offer_no_scram()
    {
        var options = new MantaOptions();
        Assert.Equal(4096, options.Authentication.Scram.Iterations);
        Assert.Empty(options.Authentication.Scram.Users);
        Assert.True(new MantaOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Bad_users_and_iterations_are_named()
    {
        var options = new MantaOptions();
        options.Authentication.Scram.Iterations = 100;
        options.Authentication.Scram.Users.Add(new ScramUserOptions { UserName = "alice", Password = "x" });
        options.Authentication.Scram.Users.Add(new ScramUserOptions { UserName = "alice", Password = "y" });
        options.Authentication.Scram.Users.Add(new ScramUserOptions { UserName = "", Password = "" });

        var failures = new MantaOptionsValidator().Validate(null, options).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Manta:Authentication:Scram:Iterations must be between 4096", StringComparison.Ordinal));
        Assert.Contains("Manta:Authentication:Scram:Users:1:UserName 'alice' is configured twice.", failures);
        Assert.Contains("Manta:Authentication:Scram:Users:2:UserName must not be empty.", failures);
        Assert.Contains("Manta:Authentication:Scram:Users:2:Password must not be empty.", failures);
    }

    [Fact]
    public void Host_refuses_to_start_with_an_invalid_user()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Manta.Server.Hosting.MantaHost.Build(["--Manta:Authentication:Scram:Users:0:UserName=alice"]));
        Assert.Contains("Manta:Authentication:Scram:Users:0:Password must not be empty.", error.Message, StringComparison.Ordinal);
    }
}
