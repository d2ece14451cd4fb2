using Mesh.Node.Telemetry;

namespace Mesh.Node.Tests.Telemetry;

public class ConnectionStatsSpec
{
    [Fact]
    public void Inbound_plaintext_and_hbone_are_counted_apart_and_outbound_hbone_is_a_subset()
    {
        var stats = new ConnectionStats();
        stats.Opened(ConnectionDirection.Inbound, ConnectionProtocol.Tcp);
        stats.Closed(ConnectionDirection.Inbound, ConnectionProtocol.Tcp, 10, 20, failed: false);
        stats.Opened(ConnectionDirection.Inbound, ConnectionProtocol.Hbone);
        stats.Opened(ConnectionDirection.Inbound, ConnectionProtocol.Hbone);
        stats.Closed(ConnectionDirection.Inbound, ConnectionProtocol.Hbone, 1, 2, failed: true);
        stats.Opened(ConnectionDirection.Outbound, ConnectionProtocol.Hbone);
        stats.Opened(ConnectionDirection.Outbound, ConnectionProtocol.Tcp);
        stats.Closed(ConnectionDirection.Outbound, ConnectionProtocol.Hbone, 100, 200, failed: false);
        stats.Closed(ConnectionDirection.Outbound, ConnectionProtocol.Tcp, 5, 5, failed: false);

        Assert.Equal((1L, 1L), (stats.InboundPlaintextOpened, stats.InboundPlaintextClosed));
        Assert.Equal((2L, 1L), (stats.InboundHboneOpened, stats.InboundHboneClosed));
        Assert.Equal((3L, 2L), (stats.InboundOpened, stats.InboundClosed));
        Assert.Equal((2L, 2L, 1L), (stats.OutboundOpened, stats.OutboundClosed, stats.OutboundHbone));
        Assert.Equal((116L, 227L, 1L), (stats.BytesSent, stats.BytesReceived, stats.Failed));
    }
}
