// The only place AgentBus includes librdkafka. Everything C goes through this module.
#ifndef AGENTBUS_CRDKAFKA_SHIM_H
#define AGENTBUS_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
