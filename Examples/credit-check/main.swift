import AgentBus

await AgentMain.run(CreditCheckAgent())
