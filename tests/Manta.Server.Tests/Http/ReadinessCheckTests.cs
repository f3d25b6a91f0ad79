using Manta.Broker;
using Manta.Server.Configuration;
using Manta.Server.Health;
using Microsoft.Extensions.Hosting;

namespace Manta.Server.Tests.Http;

/// <summary>The readiness checks and the HTTP options, without a host.</summary>
public sealed class ReadinessCheckTests
{
    [Fact]
    public async Task Host_check_is_not_ready_before_start_ready_after_and_not_ready_once_stopping()
    {
        var lifetime = new TestLifetime();
        await using var broker = new MqttBroker(new BrokerOptions());
        var check = new HostReadinessCheck(lifetime, broker);

        Assert.False((await check.CheckAsync(CancellationToken.None)).Ready);

        lifetime.Start();
        Assert.True((await check.CheckAsync(CancellationToken.None)).Ready);

        lifetime.StopApplication();
        var stopping = await check.CheckAsync(CancellationToken.None);
        Assert.False(stopping.Ready);
        Assert.Equal("stopping", stopping.Detail);
    }

    [Fact]
    public async Task Host_check_is_not_ready_once_the_broker_refuses_new_clients()
    {
        var lifetime = new TestLifetime();
        lifetime.Start();
        await using var broker = new MqttBroker(new BrokerOptions());
        var check = new HostReadinessCheck(lifetime, broker);

        broker.BeginStop();

        Assert.False((await check.CheckAsync(CancellationToken.None)).Ready);
    }

    [Theory]
    [InlineData("not-an-ip", 8080, "Manta:Http:Address")]
    [InlineData("0.0.0.0", 70000, "Manta:Http:Port")]
    [InlineData("0.0.0.0", 1883, "Manta:Http:Port 1883 is used by the MQTT listener Manta:Listeners:0")]
    public void Http_options_validation_names_the_setting(string address, int port, string expected)
    {
        var validator = new HttpOptionsValidator([new ListenerOptions()]);

        var result = validator.Validate(null, new HttpOptions { Address = address, Port = port });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Http_options_defaults_are_valid_and_disabled_skips_the_checks()
    {
        var validator = new HttpOptionsValidator([new ListenerOptions()]);

        Assert.True(validator.Validate(null, new HttpOptions()).Succeeded);
        Assert.True(validator.Validate(null, new HttpOptions { Enabled = false, Port = -1 }).Succeeded);
        Assert.Equal(("0.0.0.0", 8080, true), (new HttpOptions().Address, new HttpOptions().Port, new HttpOptions().Enabled));
    }

    private sealed class TestLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();
        private readonly CancellationTokenSource _stopping = new();
        private readonly CancellationTokenSource _stopped = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => _stopped.Token;

        public void Start() => _started.Cancel();

        public void StopApplication() => _stopping.Cancel();
    }
}
