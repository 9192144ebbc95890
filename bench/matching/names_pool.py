"""The names the generator draws: first names and surnames by popularity tier, regional
surnames, real variants one letter apart, and the other weighted pools (towns, time zones,
garbage typed as an id, levels, hours)."""

from __future__ import annotations

import bisect
import random

from bench.matching.text import name_key

__all__ = [
    "FIRST_NAMES",
    "FIRST_NAME_VARIANTS",
    "LAST_NAMES",
    "LOOKALIKES",
    "SURNAME_VARIANTS",
    "Pool",
]

# --- Names ---------------------------------------------------------------------------------
# Popularity tiers (weight: comma-separated names), roughly the young people born 2000-2010.

_FEMALE_FIRST = {
    30: "Léa, Manon, Emma, Chloé, Camille, Inès, Sarah, Océane, Clara, Jade",
    16: "Lucie, Anaïs, Marie, Laura, Mathilde, Julie, Pauline, Lola, Zoé, Louise, Juliette, Eva,"
    " Lisa, Maëlys, Lina, Romane, Charlotte, Noémie, Justine, Margaux",
    8: "Marine, Alice, Léna, Élise, Clémence, Louna, Ambre, Jeanne, Émilie, Mélissa, Morgane,"
    " Yasmine, Maëlle, Mélanie, Célia, Salomé, Léonie, Nina, Anna, Kenza, Amandine, Élodie,"
    " Audrey, Alicia, Marion, Axelle, Coralie, Laurine, Margot, Agathe",
    6: "Marie-Anne, Anne-Sophie, Marie-Claire, Anne-Laure, Marie-Lou, Lou-Anne, Marie-Ange,"
    " Marie-Laure, Marie-Josée, Anne-Lise, Marie-Ève, Marie-Charlotte, Anne-Claire,"
    " Marie-Amélie, Marie-Noëlle",
    4: "Ophélie, Cindy, Jessica, Capucine, Héloïse, Éloïse, Victoria, Elsa, Rose, Maya, Lou,"
    " Lilou, Louane, Alyssa, Imane, Sofia, Assia, Myriam, Sabrina, Samia, Hawa, Aminata, Mariam,"
    " Kadiatou, Awa, Khadija, Salma, Rania, Naïma, Amel, Fatoumata, Aïcha, Hélène, Gaëlle,"
    " Solène, Chaïma, Anaëlle, Maïwenn, Nolwenn, Enora, Tiphaine, Cassandra, Floriane, Estelle,"
    " Aurélie, Léana, Emmy, Ava, Lara, Lila, Lucile, Marina, Alix, Nora, Théa, Gabrielle,"
    " Raphaëlle",
    1: "Josette, Colette, Lætitia, Agnès, Clarisse, Camélia, Nathalie, Simone, Danielle,"
    " Michelle, Pascale, Enza, Dylane",
}
_MALE_FIRST = {
    30: "Lucas, Thomas, Hugo, Théo, Nathan, Enzo, Louis, Mathis, Maxime, Clément",
    16: "Alexandre, Antoine, Quentin, Kévin, Julien, Romain, Nicolas, Baptiste, Dylan, Tom, Léo,"
    " Raphaël, Gabriel, Arthur, Jules, Adam, Noah, Ethan, Paul, Valentin",
    8: "Florian, Alexis, Bastien, Corentin, Axel, Mathéo, Yanis, Rayan, Mohamed, Mehdi, Bilal,"
    " Adrien, Benjamin, Jérémy, Anthony, Jordan, Loïc, Kylian, Evan, Victor, Simon, Robin,"
    " Samuel, Nolan, Noé, Sacha, Ilyes, Adem, Ibrahim, Sofiane",
    6: "Jean-Pierre, Jean-Baptiste, Pierre-Louis, Jean-Marc, Jean-Philippe, Jean-Luc,"
    " Paul-Henri, Louis-Marie, Jean-Christophe, Jean-Charles, Pierre-Antoine, Charles-Henri,"
    " Jean-Hugues, Jean-Yves, Jean-Michel, Jean-Louis",
    4: "Timothée, Martin, Malo, Gaël, Maël, Erwan, Esteban, Lenny, Ryan, Aaron, Élias, Ilan,"
    " Naël, Sami, Ayoub, Hamza, Youssef, Walid, Ismaël, Souleymane, Moussa, Mamadou, Amadou,"
    " Ousmane, Karim, Samir, Yassine, Anis, Diego, Luca, Mathias, Jonathan, Vincent, Guillaume,"
    " Pierre, Jean, Teddy, Jessy, Cédric, Damien, Dorian, Tristan, Gaëtan, Killian, Steven,"
    " Mickaël, Dimitri, Kenzo",
    1: "Daniel, Michel, Pascal, Adama",
}
_LAST = {
    30: "Martin",
    18: "Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent",
    11: "Simon, Michel, Lefebvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet,"
    " Dupont, Lambert, Fontaine, Rousseau, Vincent, Muller, Lefèvre, Faure, André, Mercier,"
    " Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, Gauthier, Garcia, Perrin,"
    " Robin, Clément, Morin, Nicolas, Henry, Roussel, Mathieu, Gautier, Masson",
    7: "Marchand, Duval, Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier, Brun,"
    " Blanchard, Giraud, Joly, Rivière, Lucas, Brunet, Gaillard, Barbier, Arnaud, Martinez,"
    " Gérard, Roche, Renard, Schmitt, Roy, Leroux, Colin, Vidal, Caron, Picard, Roger, Fabre,"
    " Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe, Bourgeois, Pierre, Benoît,"
    " Rey, Leclerc, Payet, Rolland, Leclercq, Guillaume, Lecomte, Lopez, Jean, Dupuy, Guillot,"
    " Hubert, Berger, Carpentier, Sanchez, Dupuis, Moulin, Louis, Deschamps, Huet, Vasseur,"
    " Perez, Boucher, Fleury, Royer, Klein, Jacquet, Adam, Paris, Poirier, Marty, Aubry, Guyot,"
    " Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron, Bertin, Bailly, Hervé,"
    " Schneider, Fernandez, Diallo, Nguyen",
    4: "Collet, Léger, Bouvier, Julien, Prévost, Millet, Perrot, Daniel, Cousin, Germain,"
    " Breton, Besson, Langlois, Rémy, Pelletier, Lévêque, Perrier, Leblanc, Barré, Lebrun,"
    " Marchal, Weber, Mallet, Hamon, Boulanger, Jacob, Monnier, Michaud, Rodriguez, Guichard,"
    " Gillet, Étienne, Poulain, Tessier, Chevallier, Collin, Chauvin, Bouchet, Gay, Lemaître,"
    " Bénard, Maréchal, Humbert, Reynaud, Antoine, Perret, Barthélemy, Cordier, Pichon,"
    " Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Carlier, Laporte, Traoré, Diop, Camara,"
    " Coulibaly, Cissé, Konaté, Sow, Fofana, Keita, Touré, Sylla, Mendy, Haddad, Belkacem,"
    " Mansouri, Amrani, Bouzid, Tran, Pham, Ferreira, Rodrigues, Pereira, Gonçalves, Yilmaz,"
    " Kaya, Demir, Da Silva, Dos Santos, Le Gall, Le Goff, N'Diaye",
    2: "De La Fontaine, Le Bihan, Le Guen, Le Corre, Le Meur, D'Almeida, D'Souza, L'Hôte,"
    " De Sousa, Da Costa, De Oliveira, Van Den Berg, El Idrissi, Ben Ali, Ben Amor, Ben Saïd,"
    " N'Guessan, N'Dour, Cœur, Crèvecœur, Bœuf, Lœuillet, Œuvrard, Boyer-Durand,"
    " Martin-Dubois, Bonnet-Prévost, Lefèvre-Martin, Perrin-Roux, Da Silva-Moreau,"
    " Saint-Martin",
}
_REGIONAL_LAST = {
    "Indian/Reunion": {
        20: "Payet",
        14: "Hoarau, Grondin",
        10: "Técher, Fontaine, Boyer",
        8: "Rivière, Maillot, Lebon, Robert",
        6: "Nativel, Dijoux, Sautron, Clain, Mussard, Lauret, Turpin, Baret",
        4: "Hoareau, Gonthier, Ethève, Damour, Cadet, Bègue, Lebreton",
        2: "Ah-Hot, Ah-Kiem, Ah-Sing",
    },
    "America/Guadeloupe": {
        10: "Jean-Baptiste, Bélair",
        6: "Lubin, Nicolas, Alexis, Jean-Louis, Théodore",
        4: "Ramassamy, Sainte-Rose, Gustave, Désiré, Hippolyte, Nestor, Zénon, Anzala",
    },
    "America/Cayenne": {
        8: "Jean-Louis, Alexis",
        5: "Horth, Tiouka, Lama, Contout, Stéphenson, Sylvestre",
        3: "Kouyouri, Chong-Wa, Pinas, Da Silva, Ribeiro, Santos",
    },
    "Indian/Mayotte": {
        12: "Ahamada, Saïd, Abdallah, Madi",
        8: "Attoumani, Ali, Soilihi, Ahmed, Houmadi",
        4: "Combo, Youssouf, Ousseni, Chanfi, Boina, Bacar, Moussa, Mohamed",
    },
}
REGIONAL_SHARE = 0.65

# First names that look alike but are different people (both directions are used).
LOOKALIKES = (
    ("Louis", "Louise"),
    ("Josette", "Colette"),
    ("Léa", "Léo"),
    ("Jules", "Julie"),
    ("Mathis", "Mathias"),
    ("Gabriel", "Gabrielle"),
    ("Raphaël", "Raphaëlle"),
    ("Maël", "Maëlle"),
    ("Noé", "Zoé"),
    ("Théo", "Théa"),
    ("Emma", "Emmy"),
    ("Lina", "Léna"),
    ("Manon", "Marion"),
    ("Adam", "Adama"),
    ("Inès", "Agnès"),
    ("Lucas", "Luca"),
    ("Eva", "Ava"),
    ("Clara", "Clarisse"),
    ("Enzo", "Enza"),
    ("Nathan", "Nathalie"),
    ("Laura", "Lara"),
    ("Simon", "Simone"),
    ("Daniel", "Danielle"),
    ("Michel", "Michelle"),
    ("Pascal", "Pascale"),
    ("Dylan", "Dylane"),
    ("Lola", "Lila"),
    ("Lucie", "Lucile"),
    ("Alice", "Alix"),
    ("Camille", "Camélia"),
    ("Marine", "Marina"),
)

# Real surnames one letter apart (wrong, missing, extra or swapped): two families, not a typo.
# The first of each pair is in the pools; about a third of the second ones are too.
SURNAME_VARIANTS = (
    ("Gérard", "Girard"),
    ("Giraud", "Girard"),
    ("Gautier", "Gauthier"),
    ("Lefèvre", "Lefebvre"),
    ("Chevalier", "Chevallier"),
    ("Leclerc", "Leclercq"),
    ("Colin", "Collin"),
    ("Hoarau", "Hoareau"),
    ("Renaud", "Reynaud"),
    ("Boucher", "Bouchet"),
    ("Carpentier", "Charpentier"),
    ("Lemaire", "Lemaître"),
    ("Durand", "Durant"),
    ("Richard", "Ricard"),
    ("Roussel", "Rousset"),
    ("Bonnet", "Bonnel"),
    ("Morin", "Marin"),
    ("Marchand", "Marchant"),
    ("Dumont", "Dumond"),
    ("Denis", "Denys"),
    ("Meunier", "Meynier"),
    ("Joly", "Jolly"),
    ("Leroy", "Leroi"),
    ("Caron", "Carron"),
    ("Fabre", "Favre"),
    ("Olivier", "Ollivier"),
    ("Lopez", "Lopes"),
    ("Guillot", "Guillon"),
    ("Guyot", "Guyon"),
    ("Royer", "Royet"),
    ("Perrin", "Perin"),
    ("Perret", "Perrot"),
    ("Hubert", "Humbert"),
    ("Bernard", "Besnard"),
    ("Moreau", "Moreaux"),
    ("Martin", "Martins"),
    ("Petit", "Petiot"),
    ("Masson", "Massot"),
    ("Roche", "Rocher"),
    ("Mallet", "Maillet"),
    ("Millet", "Millot"),
    ("Rolland", "Roland"),
    ("Julien", "Jullien"),
    ("Michaud", "Michaux"),
    ("Perrier", "Perier"),
    ("Poulain", "Poulin"),
    ("Gilbert", "Gibert"),
)
# First names one letter apart that are spelt so on purpose: two people, not a typo.
FIRST_NAME_VARIANTS = (
    ("Yanis", "Yannis"),
    ("Killian", "Kilian"),
    ("Kylian", "Kyllian"),
    ("Mathis", "Matis"),
    ("Lenny", "Leny"),
    ("Ilyes", "Ilyas"),
    ("Chloé", "Cloé"),
    ("Mickaël", "Mikaël"),
    ("Océane", "Océanne"),
    ("Sarah", "Sara"),
    ("Nathan", "Natan"),
    ("Maëlys", "Maëlis"),
    ("Evan", "Evann"),
    ("Mehdi", "Medhi"),
)

CITIES = (
    "Lyon, Marseille, Toulouse, Nice, Nantes, Strasbourg, Montpellier, Bordeaux, Lille, Rennes,"
    " Reims, Toulon, Saint-Étienne, Le Havre, Grenoble, Dijon, Angers, Nîmes, Villeurbanne,"
    " Clermont-Ferrand, Le Mans, Aix-en-Provence, Brest, Tours, Amiens, Limoges, Annecy,"
    " Perpignan, Boulogne-Billancourt, Metz, Besançon, Orléans, Rouen, Mulhouse, Caen, Nancy,"
    " Argenteuil, Montreuil, Roubaix, Tourcoing, Nanterre, Avignon, Créteil, Poitiers,"
    " Versailles, Pau, Aubervilliers, Colombes, Calais, Cannes, Béziers, Saint-Nazaire,"
    " Bourges, Quimper, Valence, Troyes, Lorient, Niort, Chambéry, Évry, Cergy, Beauvais,"
    " Vannes, Laval, Belfort, Épinal, Arras, Dunkerque, Cholet, Bayonne, Albi, Tarbes,"
    " Châteauroux, Blois, Angoulême, Périgueux, Auxerre, Nevers, Mâcon, Gap, Carcassonne,"
    " Montauban, Agen, Saint-Brieuc, Lens, Douai, Maubeuge, Charleville-Mézières, Sedan,"
    " Vierzon, Montluçon, Vichy, Roanne, Alès, Sète, Draguignan, Fréjus"
)
OVERSEAS = {
    "Indian/Reunion": ("974", "Saint-Denis, Saint-Pierre, Le Port, Saint-Paul, Saint-Benoît"),
    "America/Guadeloupe": ("971", "Pointe-à-Pitre, Les Abymes, Basse-Terre, Le Moule"),
    "America/Cayenne": ("973", "Cayenne, Kourou, Saint-Laurent-du-Maroni"),
    "Indian/Mayotte": ("976", "Mamoudzou, Koungou, Dembéni"),
}
TIMEZONES = (
    ("Europe/Paris", 88),
    ("Indian/Reunion", 5),
    ("America/Guadeloupe", 2.5),
    ("America/Cayenne", 2),
    ("Indian/Mayotte", 2.5),
)

GARBAGE = (
    "je sais pas",
    "123",
    "?",
    "aucun",
    "jsp",
    "0",
    "N/A",
    "pas de numéro",
    "mission locale",
    "inconnu",
    "xxx",
    "-",
    "je ne sais pas",
    "Numéro de dossier",
    "pas reçu",
)

# --- Weighted pools --------------------------------------------------------------------------


class Pool:
    """Names drawn with tier weights."""

    def __init__(self, tiers: dict[int, str] | dict[float, str]) -> None:
        self.names: list[str] = []
        self.cumulative: list[float] = []
        total = 0.0
        for weight, text in tiers.items():
            for raw in text.split(","):
                name = raw.strip()
                if name:
                    total += weight
                    self.names.append(name)
                    self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


FEMALE = Pool(_FEMALE_FIRST)
MALE = Pool(_MALE_FIRST)
NATIONAL_LAST = Pool(_LAST)
REGIONAL = {tz: Pool(tiers) for tz, tiers in _REGIONAL_LAST.items()}
LAST_NAMES = tuple(
    dict.fromkeys([*NATIONAL_LAST.names, *(n for p in REGIONAL.values() for n in p.names)])
)
FIRST_NAMES = tuple(dict.fromkeys([*FEMALE.names, *MALE.names]))
SEXE_OF = {**dict.fromkeys(MALE.names, "H"), **dict.fromkeys(FEMALE.names, "F")}
# The first names a counsellor knows as first names in their own right.
KNOWN_FIRST = frozenset(
    name_key(n)
    for n in (*FIRST_NAMES, *(n for pair in (*LOOKALIKES, *FIRST_NAME_VARIANTS) for n in pair))
)
# Pairs of one-letter-apart names, both ways, by the folded name: real neighbours.
SURNAME_VARIANTS_OF: dict[str, list[str]] = {}
for _a, _b in SURNAME_VARIANTS:
    SURNAME_VARIANTS_OF.setdefault(name_key(_a), []).append(_b)
    SURNAME_VARIANTS_OF.setdefault(name_key(_b), []).append(_a)
FIRST_VARIANTS_OF: dict[str, list[str]] = {}
for _a, _b in (*LOOKALIKES, *FIRST_NAME_VARIANTS):
    FIRST_VARIANTS_OF.setdefault(name_key(_a), []).append(_b)
    FIRST_VARIANTS_OF.setdefault(name_key(_b), []).append(_a)

NIVEAU = Pool({15: "VI", 40: "V", 30: "IV", 12: "III", 3: "II"})
ZONE = Pool({35: "QPV", 10: "ZRR", 55: "AUTRE"})
ACCOMPAGNEMENT = Pool({40: "PREMIER_ACCUEIL", 35: "DEJA_ACCOMPAGNE", 25: "CEJ"})
CLOSED = Pool({50: "ACHIEVED", 25: "REFUSAL_YOUNG, ABANDONED"})
HOUR = Pool({1: "21, 22, 23", 2: "19, 20", 3: "12, 18", 4: "8", 5: "17", 6: "13", 7: "16",
               8: "9, 11, 14, 15", 9: "10"})  # fmt: skip
