// placeholder until the journey lands
