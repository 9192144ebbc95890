"""Common first names in France, normalised: used to tell a typo from another first name.

« Louis » typed for « Louise » is one letter away, yet both are real first names: a careful
counsellor reads two people, not a typo. A one-letter difference is only tolerated when the
typed first name is not itself a known first name different from the dossier's.
"""

from __future__ import annotations

__all__ = ["KNOWN_FIRST_NAMES"]

_NAMES = """
adam adele adrien agathe ahmed aicha alain alan albane albert alex alexandre alexandra alexia
alexis alice alicia aline alix amandine amaury amelie amine amir anais andre andrea ange angela
angele angelique anna anne annabelle annie anthony antoine antonin apolline arnaud arthur audrey
augustin aurelie aurelien axel axelle aya ayoub baptiste barbara basile bastien beatrice benedicte
benjamin benoit bernard bertrand blanche brigitte bruno camille capucine carla carole caroline
catherine cecile celia celine chantal charles charlie charline charlotte chloe christian
christine christophe claire clara clarisse claude clemence clement clementine colette coline
colin corentin cyril cyrielle daniel danielle david delphine denis diane didier dimitri dominique
dylan eden edouard eliane elias elie elisa elise elodie eloise elsa emeline emile emilie emma
emmanuel emmanuelle enzo eric erwan estelle esteban ethan etienne eugenie eva evan eve fabien
fabienne fabrice fanny fatima fatou felix fernand florence florian francis franck francois
francoise frederic gabin gabriel gabrielle gael gaelle gaspard gauthier genevieve georges gerard
gilles gisele grace guillaume gustave hamza hannah hector helene henri hugo ibrahim ilyes ines
irene isaac isabelle ismael jacqueline jacques jade jean jeanne jeremie jeremy jerome joel johan
jonathan jordan joseph josette josephine joshua juliette julia julie julien jules justin karim
kevin killian lea leana leandre leo leon leonard leonie leopold lilou lina lisa lise loan lois
lola lou louane louis louise luc luca lucas lucie lucien lucile lucille lukas lydie lyna madeleine
mael maelle maelys mahe malik manon marc marcel margaux margot marguerite maria marianne marie
marin marine marion marius marthe martin martine mateo mathias mathieu mathilde mathis matteo
matthieu maxence maxime mehdi melanie melissa melvin michel michele mickael mila milan mohamed
monique morgan moussa myriam nadia nadine naomi natacha nathalie nathan nicolas nicole nina noa
noah noe noel noemie nolan oceane odile olivia olivier omar oscar pascal pascale patrice patricia
patrick paul paula pauline perrine philippe pierre quentin rachel rayan raphael raphaelle remi
renee richard robert robin romain romane rose roxane ruben sabrina sacha salome samia samuel sandra
sandrine sara sarah sebastien serge simon simone solene sophie stephane stephanie suzanne sylvain
sylvie tao theo theophile therese thibault thierry thomas tiago timeo timothee tom tony valentin
valentine valerie vanessa victor victoria vincent violette virginie walid william xavier yanis
yann yannick yasmine yohan youssef yves yvette yvonne zoe zoey
"""

KNOWN_FIRST_NAMES = frozenset(_NAMES.split())
