package org.cklbench.datasets.world;

/** Kinds of things in the synthetic world. Some draw fictional names, others come from a fixed word list. */
public enum EntityType {
    PERSON, CITY, COUNTRY, ORGANIZATION, LANGUAGE, FIELD, POSITION, INSTRUMENT
}
