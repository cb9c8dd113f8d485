"""Follow-ups: what an answer leads to (a case, an offer, a reward) and the emails that say so."""
